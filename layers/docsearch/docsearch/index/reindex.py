"""Zero-downtime reindex: build the next versioned index beside the live one, then swap the alias.

1. create ``<alias>-v<N+1>`` from data/index.json (refresh off while it fills);
2. fill it from the live index with ``_reindex`` (a server-side task, polled for
   progress) or from the bucket with a backfill;
3. catch up what ingest wrote to the live index meanwhile (``indexed_at`` at or
   after the start) and drop what it deleted meanwhile;
4. point the alias at the new index in one ``_aliases`` call (atomic: every search
   sees either the old index or the new one, never neither), then copy, create-only,
   what was created in the instant between the catch-up and the swap;
5. delete the old index (unless asked to keep it).

What stays open: an update or delete that lands on the old index in that same
instant (milliseconds) is not carried over; ``docsearch backfill`` re-syncs from
the bucket, which is the source of truth.

Searches go through the alias the whole time, so they keep answering.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.helpers import scan

from docsearch.index.definition import index_definition, versioned_name
from docsearch.observability import logger

Progress = Callable[[int, int], None]
# Fill the new index from the bucket instead: (client, new_index, on_progress) -> documents written.
Filler = Callable[[OpenSearch, str, Progress | None], int]

POLL_S = 0.5
CLOCK_SKEW = timedelta(seconds=5)
# Documents from an index built before definition v3 get the fields search relies on: a story of their own
# (results collapse on it; a missing one would lump them together) and a source key (lower-cased only:
# a rebuild from the bucket applies the full normalisation of ingest/sources.py).
CARRY_FORWARD = (
    "if (ctx._source.deleted != true && ctx._source.story == null) { ctx._source.story = ctx._id; }"
    " if (ctx._source.source != null && ctx._source.source_key == null)"
    " { ctx._source.source_key = ctx._source.source.toLowerCase().trim(); }"
)
OLD_INDEX_GRACE_S = 1.0  # let searches already running on the old index finish before it goes


class ReindexError(Exception):
    """The reindex could not finish; the alias still points at the old index."""


@dataclass
class ReindexSummary:
    alias: str
    new_index: str
    old_indices: list[str] = field(default_factory=list)
    source: str = "index"
    copied: int = 0
    caught_up: int = 0
    deleted_in_window: int = 0
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


def create_versioned_index(client: OpenSearch, alias: str, version: int) -> str:
    name = versioned_name(alias, version)
    definition = index_definition()
    settings = {**definition["settings"]}
    settings["index"] = {**settings.get("index", {}), "refresh_interval": "-1"}
    client.indices.create(index=name, body={"settings": settings, "mappings": definition["mappings"]})
    return name


def reindex(
    client: OpenSearch,
    alias: str,
    *,
    from_bucket: Filler | None = None,
    keep_old: bool = False,
    on_progress: Progress | None = None,
) -> ReindexSummary:
    """Rebuild ``alias`` into the next versioned index and swap it in. See the module doc."""
    started = time.monotonic()
    since = datetime.now(UTC) - CLOCK_SKEW
    old = alias_targets(client, alias)
    new = create_versioned_index(client, alias, next_version(client, alias))
    summary = ReindexSummary(alias=alias, new_index=new, old_indices=old)
    logger.info("reindex started", extra={"alias": alias, "old": old, "new": new})
    try:
        if from_bucket is not None:
            summary.source = "bucket"
            summary.copied = from_bucket(client, new, on_progress)
        elif old:
            summary.copied = _copy(client, old, new, None, on_progress)
        if old:
            client.indices.refresh(index=",".join(old))
            catch_up_since = datetime.now(UTC) - CLOCK_SKEW
            summary.caught_up = _copy(client, old, new, since, None)
            summary.deleted_in_window = _drop_deleted(client, old, new) if from_bucket is None else 0
        client.indices.put_settings(index=new, body={"index": {"refresh_interval": None}})
        client.indices.refresh(index=new)
        _swap(client, alias, old, new)
    except Exception as error:
        client.indices.delete(index=new, ignore_unavailable=True)
        raise ReindexError(f"reindex of {alias} into {new} failed, alias unchanged: {error}") from error
    if old:  # documents created in the instant between the catch-up and the swap (create-only: never older data)
        client.indices.refresh(index=",".join(old))
        summary.caught_up += _copy(client, old, new, catch_up_since, None, op_type="create")
        client.indices.refresh(index=new)
    summary.documents = int(client.count(index=new)["count"])
    if old and not keep_old:
        time.sleep(OLD_INDEX_GRACE_S)
        client.indices.delete(index=",".join(old), ignore_unavailable=True)
        summary.removed_old = True
    summary.seconds = round(time.monotonic() - started, 2)
    logger.info("reindex done", extra={"summary": summary.__dict__})
    return summary


def _copy(
    client: OpenSearch,
    old: list[str],
    new: str,
    since: datetime | None,
    on_progress: Progress | None,
    op_type: str = "index",
) -> int:
    """Server-side ``_reindex`` of ``old`` (everything, or what was written since ``since``) into ``new``."""
    source: dict[str, Any] = {"index": old}
    if since is not None:
        source["query"] = {"range": {"indexed_at": {"gte": since.isoformat(timespec="seconds")}}}
    body = {
        "source": source,
        "dest": {"index": new, "op_type": op_type},
        "conflicts": "proceed",
        "script": {"lang": "painless", "source": CARRY_FORWARD},
    }
    task = client.reindex(body=body, wait_for_completion=False, refresh=False)
    task_id = task["task"]
    while True:
        answer = client.tasks.get(task_id=task_id)
        status = answer.get("task", {}).get("status", {})
        done = int(status.get("created", 0)) + int(status.get("updated", 0))
        if on_progress is not None:
            on_progress(done, int(status.get("total", 0)))
        if answer.get("completed"):
            break
        time.sleep(POLL_S)
    response = answer.get("response", {})
    if answer.get("error") or response.get("failures"):
        raise ReindexError(f"_reindex task {task_id} failed: {answer.get('error') or response.get('failures')}")
    return int(response.get("created", 0)) + int(response.get("updated", 0))


def _ids(client: OpenSearch, index: str | list[str]) -> set[str]:
    query = {"query": {"match_all": {}}, "_source": False}
    return {hit["_id"] for hit in scan(client, index=index, query=query, size=1000)}


def _drop_deleted(client: OpenSearch, old: list[str], new: str) -> int:
    """Documents deleted from the live index while the copy ran must not come back."""
    gone = _ids(client, new) - _ids(client, old)
    for doc_id in gone:
        client.delete(index=new, id=doc_id, ignore=[404])
    return len(gone)


def _swap(client: OpenSearch, alias: str, old: list[str], new: str) -> None:
    """One ``_aliases`` request: add the new index and remove the old ones together (atomic)."""
    actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": alias}}]
    actions += [{"remove": {"index": name, "alias": alias}} for name in old]
    client.indices.update_aliases(body={"actions": actions})
