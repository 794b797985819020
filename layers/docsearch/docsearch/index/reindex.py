"""Zero-downtime reindex: build the next versioned index beside the live one, then swap the alias.

1. create ``<alias>-v<N+1>`` from data/index.json and point the alias ``<alias>-next`` at
   it: from then on every ingest batch writes to the new index as well as to the alias
   (see ``ingest/batch.py``);
2. fill it: from the bucket with a backfill (its writes are conditional on the state read
   before the object, so one that raced a live write is redone from a fresh read), or from the live index
   with a server-side ``_reindex`` in ``op_type: create`` (the copy never overwrites what a
   live write put there, tombstones included). Before that copy starts, batches that began
   before step 1 (so do not know the new index) are given ``in_flight_s`` to finish and the
   old index is refreshed, so the copy's snapshot holds everything they wrote;
3. point the alias at the new index and drop ``<alias>-next`` in one ``_aliases`` call
   (atomic: every search sees the old index or the new one, never neither);
4. delete the old index (unless asked to keep it).

A write or delete arriving at any moment thus ends in the new index: before step 1 it is
in the bucket the fill reads (or in the old index before the copy's snapshot), after it the
batch writes the new index itself, and event writes are ordered by the S3 sequencer in
every index. Searches go through the alias the whole time, so they keep answering.

A fill from part of the bucket (``prefix``) copies every document outside the prefix from the live index
first (the same create-only ``_reindex``, after the same in-flight wait), so a prefix reindex rebuilds the
prefix and keeps the rest. And before the swap, the live documents of both indexes are counted: a swap
that would drop more than ``MAX_SHRINK`` of them (a bucket emptied or restored only in part, a wrong
prefix) is refused unless ``allow_shrink``; the alias stays on the old index.

OpenSearch Serverless has no ``_reindex``, ``_tasks`` or ``_refresh``: there (``serverless``)
only the bucket fill runs, no refresh is asked for, and the index copy (a whole one, or the part outside a
prefix) raises ``ReindexError``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch

from docsearch.aliases import building_alias, building_indices
from docsearch.document import (
    DATE_SOURCE,
    DELETED,
    KEY,
    OUTLET_KEY,
    PUBLISHED_AT,
    SOURCE,
    SOURCE_KEY,
    STORY,
    TOMBSTONE,
)
from docsearch.engine import is_serverless
from docsearch.index.definition import index_definition, index_mappings, versioned_name

Progress = Callable[[int, int], None]
# Fill the new index from the bucket instead: (client, new_index, on_progress) -> documents written.
Filler = Callable[[OpenSearch, str, Progress | None], int]

POLL_S = 0.5
# Documents from an index built before definition v3 get the fields search relies on: a story of their own
# (results collapse on it; a missing one would lump them together) and a source key (lower-cased only:
# a rebuild from the bucket applies the full normalisation of outlets.py). Documents from before v7 keep
# their date but say where it came from only as "unrecorded" (a rebuild from the bucket extracts it again,
# strongest evidence first), and count under their own source as outlet (no channels).
# Field names from docsearch.document (tests/unit/test_document.py checks every name the script uses).
_DOC = "ctx._source"
CARRY_FORWARD = (
    f"if ({_DOC}.{DELETED} != true && {_DOC}.{STORY} == null) {{ {_DOC}.{STORY} = ctx._id; }}"
    f" if ({_DOC}.{SOURCE} != null && {_DOC}.{SOURCE_KEY} == null)"
    f" {{ {_DOC}.{SOURCE_KEY} = {_DOC}.{SOURCE}.toLowerCase().trim(); }}"
    f" if ({_DOC}.{SOURCE_KEY} != null && {_DOC}.{OUTLET_KEY} == null) {{ {_DOC}.{OUTLET_KEY} = {_DOC}.{SOURCE_KEY}; }}"
    f" if ({_DOC}.{PUBLISHED_AT} != null && {_DOC}.{DATE_SOURCE} == null) {{ {_DOC}.{DATE_SOURCE} = 'unrecorded'; }}"
)
OLD_INDEX_GRACE_S = 1.0  # let searches already running on the old index finish before it goes
# The longest an ingest batch can run (IngestFunction's Timeout in template.yaml): a batch that began
# before the new index was announced has finished writing the old index by then.
INGEST_TIMEOUT_S = 60.0
# The largest share of the live documents a swap may drop without ``allow_shrink``. A copy from the index
# drops none; a rebuild from the bucket drops only keys whose objects are gone without their delete events
# having reached the index (events are never lost in normal running: the queue keeps them 4 days), and
# concurrent deletes land in both indexes alike. So a real drop is a few documents, while the failures this
# catches drop most of them (issue 21: a prefix reindex dropped everything outside the prefix; a local
# emulator restarted with an empty bucket had lost 1,043 of 1,107 objects). 10% sits far from both.
MAX_SHRINK = 0.10


class ReindexError(Exception):
    """The reindex could not finish; the alias still points at the old index."""


class ShrinkRefused(ReindexError):
    """The new index would hold far fewer live documents than the old one; nothing was swapped."""


@dataclass
class ReindexSummary:
    alias: str
    new_index: str
    old_indices: list[str] = field(default_factory=list)
    source: str = "index"
    copied: int = 0
    kept_newer: int = 0  # keys the index copy left alone: a live write had already put a newer version there
    kept_outside: int = 0  # documents outside the bucket prefix, copied from the live index
    live_before: int = 0  # live (not deleted) documents in the old index at the swap
    live_after: int = 0  # and in the new one
    documents: int = 0
    removed_old: bool = False
    seconds: float = 0.0


def existing_versions(client: OpenSearch, alias: str) -> list[int]:
    pattern = re.compile(rf"^{re.escape(alias)}-v(\d+)$")
    names = client.indices.get(index=f"{alias}-v*", ignore_unavailable=True, allow_no_indices=True)
    return sorted(int(m.group(1)) for name in names if (m := pattern.match(name)))


def next_version(client: OpenSearch, alias: str) -> int:
    """The next free version: above every ``<alias>-vN`` there is, and at least index.json's."""
    versions = existing_versions(client, alias)
    return max([int(index_definition()["version"]), *(v + 1 for v in versions)])


def alias_targets(client: OpenSearch, alias: str) -> list[str]:
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias))


def create_versioned_index(client: OpenSearch, alias: str, version: int, *, refresh_off: bool = True) -> str:
    name = versioned_name(alias, version)
    definition = index_definition()
    serverless = is_serverless(client)
    settings = {**definition["settings"]}
    if refresh_off:  # a bulk copy runs faster without refreshes (Serverless does not take the setting)
        settings["index"] = {**settings.get("index", {}), "refresh_interval": "-1"}
    if serverless:  # a search collection has no k-NN (index_mappings leaves the vector field out there)
        settings["index"] = {k: v for k, v in settings.get("index", {}).items() if k != "knn"}
    mappings = index_mappings(serverless=serverless)
    client.indices.create(index=name, body={"settings": settings, "mappings": mappings})
    return name


def reindex(
    client: OpenSearch,
    alias: str,
    *,
    from_bucket: Filler | None = None,
    keep_old: bool = False,
    on_progress: Progress | None = None,
    serverless: bool = False,
    in_flight_s: float = INGEST_TIMEOUT_S,
    prefix: str = "",
    allow_shrink: bool = False,
) -> ReindexSummary:
    """Rebuild ``alias`` into the next versioned index and swap it in. See the module doc.

    ``prefix``: the part of the bucket ``from_bucket`` fills; the rest is copied from the live index.
    """
    if serverless and (from_bucket is None or prefix):
        raise ReindexError(
            "OpenSearch Serverless has no _reindex or _tasks: rebuild from the whole bucket"
            " (docsearch reindex --from-bucket, no --prefix)"
        )
    started = time.monotonic()
    busy = building_indices(client, alias)
    if busy:
        raise ReindexError(
            f"a reindex of {alias} into {', '.join(busy)} is under way or was interrupted;"
            f" if none is running, delete {', '.join(busy)} and try again"
        )
    old = alias_targets(client, alias)
    new = create_versioned_index(client, alias, next_version(client, alias), refresh_off=not serverless)
    summary = ReindexSummary(alias=alias, new_index=new, old_indices=old)
    try:
        client.indices.update_aliases(body={"actions": [{"add": {"index": new, "alias": building_alias(alias)}}]})
        _fill(client, old, new, summary, from_bucket, prefix, on_progress, in_flight_s)
        if not serverless:
            client.indices.put_settings(index=new, body={"index": {"refresh_interval": None}})
            client.indices.refresh(index=new)
        _check_shrink(client, old, new, summary, allow_shrink=allow_shrink, serverless=serverless)
        _swap(client, alias, old, new)
    except Exception as error:
        client.indices.delete(index=new, ignore_unavailable=True)
        if isinstance(error, ShrinkRefused):
            raise
        raise ReindexError(f"reindex of {alias} into {new} failed, alias unchanged: {error}") from error
    summary.documents = int(client.count(index=new)["count"])
    if old and not keep_old:
        time.sleep(OLD_INDEX_GRACE_S)
        client.indices.delete(index=",".join(old), ignore_unavailable=True)
        summary.removed_old = True
    summary.seconds = round(time.monotonic() - started, 2)
    return summary


def _fill(
    client: OpenSearch,
    old: list[str],
    new: str,
    summary: ReindexSummary,
    from_bucket: Filler | None,
    prefix: str,
    on_progress: Progress | None,
    in_flight_s: float,
) -> None:
    """Step 2: the new index from the bucket, from the live index, or (a prefix) from both."""
    outside = {"bool": {"must_not": [{"prefix": {KEY: prefix}}]}} if prefix else None
    if old and (from_bucket is None or outside is not None):
        time.sleep(in_flight_s)  # batches that do not know the new index finish writing the old one
        client.indices.refresh(index=",".join(old))  # _reindex reads what a search sees: all of it
        copied, summary.kept_newer = _copy(client, old, new, on_progress, outside)
        if outside is None:
            summary.copied = copied
        else:
            summary.kept_outside = copied
    if from_bucket is not None:
        summary.source = "bucket"
        summary.copied = from_bucket(client, new, on_progress)


def live_count(client: OpenSearch, index: str) -> int:
    """Documents a search can find in ``index`` (tombstones and skip records left out)."""
    body = {"query": {"bool": {"must_not": [TOMBSTONE]}}}
    return int(client.count(index=index, body=body)["count"])


def _check_shrink(
    client: OpenSearch, old: list[str], new: str, summary: ReindexSummary, *, allow_shrink: bool, serverless: bool
) -> None:
    """Refuse a swap that would drop more than MAX_SHRINK of the live documents (unless ``allow_shrink``)."""
    if not old:
        return
    if not serverless:
        client.indices.refresh(index=",".join(old))  # count what ingestion has written up to now
    summary.live_before = live_count(client, ",".join(old))
    summary.live_after = live_count(client, new)
    if serverless:  # no refresh to ask for: a count lags the writes, the fill's own tally does not
        summary.live_after = max(summary.live_after, summary.copied + summary.kept_outside)
    dropped = summary.live_before - summary.live_after
    if allow_shrink or dropped <= summary.live_before * MAX_SHRINK:
        return
    raise ShrinkRefused(
        f"refused: the new index {new} holds {summary.live_after} live documents, the live one"
        f" {summary.live_before}; the swap would drop {dropped} ({dropped / summary.live_before:.0%}, more than"
        f" {MAX_SHRINK:.0%}). Is the bucket complete (a restarted local emulator, a wrong --prefix)? The alias"
        " is unchanged and the new index deleted; to drop them on purpose, run again with --allow-shrink"
    )


def _copy(
    client: OpenSearch, old: list[str], new: str, on_progress: Progress | None, query: dict[str, Any] | None = None
) -> tuple[int, int]:
    """Server-side ``_reindex`` of ``old`` (what ``query`` matches) into ``new``, create-only;
    (created, left alone as newer)."""
    source: dict[str, Any] = {"index": old}
    if query is not None:
        source["query"] = query
    body = {
        "source": source,
        "dest": {"index": new, "op_type": "create"},
        "conflicts": "proceed",
        "script": {"lang": "painless", "source": CARRY_FORWARD},
    }
    task = client.reindex(body=body, wait_for_completion=False, refresh=False)
    task_id = task["task"]
    while True:
        answer = client.tasks.get(task_id=task_id)
        status = answer.get("task", {}).get("status", {})
        done = int(status.get("created", 0)) + int(status.get("version_conflicts", 0))
        if on_progress is not None:
            on_progress(done, int(status.get("total", 0)))
        if answer.get("completed"):
            break
        time.sleep(POLL_S)
    response = answer.get("response", {})
    if answer.get("error") or response.get("failures"):
        raise ReindexError(f"_reindex task {task_id} failed: {answer.get('error') or response.get('failures')}")
    return int(response.get("created", 0)), int(response.get("version_conflicts", 0))


def _swap(client: OpenSearch, alias: str, old: list[str], new: str) -> None:
    """One ``_aliases`` request: the alias moves to the new index, which stops being the one being built."""
    actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": alias}}]
    actions += [{"remove": {"index": name, "alias": alias}} for name in old]
    actions.append({"remove": {"index": new, "alias": building_alias(alias)}})
    client.indices.update_aliases(body={"actions": actions})
