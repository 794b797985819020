"""Object changes -> one ``_bulk`` request -> an outcome per message (or per backfilled key).

Order and duplicates. S3 delivers events at least once and out of order; each carries a
``sequencer`` (hex, larger is later, for the same key). Every write is a scripted upsert
that compares the incoming sequencer with the stored one inside the engine (see
``data/ordering.painless``), so a late older event is a no-op whatever the timing.
A delete writes a *tombstone* (``deleted: true`` and the delete's sequencer, no text)
rather than removing the document, so a late older create cannot bring it back.
Tombstones have no title or body, so no text query matches them; filters and
``GET /documents/{id}`` must still exclude ``deleted: true``.

Identical content under the same key does no write: the stored ``content_hash`` is read
first (one ``_mget`` per batch) and an identical object is counted as ``unchanged``
(when its event is newer, only the stored sequencer moves forward, so a late delete that
came between two identical uploads cannot remove the document).

Each message ends ``done`` (indexed, deleted, unchanged, stale, or skipped with a recorded
reason) or ``retry`` (S3 or the engine failed transiently; after the configured receives
the queue moves it to the dead-letter queue).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from aws_lambda_powertools.metrics import MetricUnit
from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from docsearch.ingest.article import IndexedArticle, document_id
from docsearch.ingest.bulk import write_bulk
from docsearch.ingest.events import MalformedMessage, ObjectChange, parse_notification
from docsearch.ingest.extract import Unindexable, extract_article
from docsearch.ingest.fingerprint import assign_stories
from docsearch.ingest.objects import ObjectMissing, ObjectTooLarge, StoredObject
from docsearch.observability import logger, metrics

Fetch = Callable[[str, str], StoredObject]
RETRY_ON_CONFLICT = 5
STATE_FIELDS = ["sequencer", "content_hash", "deleted"]
# Objects of one batch read at once: S3 GETs wait on the network, not the CPU (make bench: the path
# without S3 reads ran 3-6x faster, so reading is what an ingest batch waits on).
FETCH_CONCURRENCY = 10


@dataclass
class MessageOutcome:
    message_id: str
    status: Literal["done", "retry"] = "done"
    indexed: int = 0
    deleted: int = 0
    unchanged: int = 0
    stale: int = 0  # older than what is stored, or superseded in the same batch: nothing to do
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def fail(self, reason: str) -> None:
        self.status = "retry"
        self.errors.append(reason)


@dataclass(frozen=True)
class StoredState:
    sequencer: str
    content_hash: str
    deleted: bool


@dataclass(frozen=True)
class PlannedWrite:
    tag: str
    kind: Literal["indexed", "deleted", "unchanged"]
    op: dict[str, Any]


def normalize_sequencer(sequencer: str) -> str:
    """Upper-case hex without leading zeros: comparable by (length, text) whatever its width."""
    return sequencer.strip().upper().lstrip("0")


def is_older(sequencer: str, than: str) -> bool:
    """True if ``sequencer`` is known to come before ``than`` (both normalized; "" is unknown)."""
    if not sequencer or not than:
        return False
    return (len(sequencer), sequencer) < (len(than), than)


@lru_cache(maxsize=1)
def ordering_script() -> str:
    return resources.files("docsearch").joinpath("data/ordering.painless").read_text(encoding="utf-8")


def _scripted(index: str, doc_id: str, mode: str, sequencer: str, doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "_op_type": "update",
        "_index": index,
        "_id": doc_id,
        "retry_on_conflict": RETRY_ON_CONFLICT,
        "scripted_upsert": True,
        "upsert": {},
        "script": {
            "lang": "painless",
            "source": ordering_script(),
            "params": {"mode": mode, "seq": sequencer, "doc": doc},
        },
    }


def tombstone(change: ObjectChange, now: datetime | None = None) -> dict[str, Any]:
    return {
        "bucket": change.bucket,
        "key": change.key,
        "deleted": True,
        "sequencer": normalize_sequencer(change.sequencer),
        "indexed_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
    }


def ingest_messages(
    messages: Sequence[tuple[str, str]], client: OpenSearch, index: str, fetch: Fetch
) -> dict[str, MessageOutcome]:
    """Ingest ``(message_id, body)`` pairs; return the outcome of each message."""
    outcomes = {message_id: MessageOutcome(message_id) for message_id, _ in messages}
    changes: list[tuple[str, ObjectChange]] = []
    for message_id, body in messages:
        try:
            changes.extend((message_id, change) for change in parse_notification(body))
        except MalformedMessage as error:
            skip(outcomes[message_id], "malformed_message", str(error))
    # Events write through the alias only: were it ever missing, the engine must refuse the write
    # (the message is retried after ensure_index) rather than auto-create an index without our mapping.
    apply_changes(changes, outcomes, client, index, fetch, require_alias=True)
    return outcomes


def apply_changes(
    changes: Sequence[tuple[str, ObjectChange]],
    outcomes: dict[str, MessageOutcome],
    client: OpenSearch,
    index: str,
    fetch: Fetch,
    *,
    require_alias: bool = False,
) -> None:
    """Apply tagged changes in one ``_bulk`` request; record what happened in ``outcomes[tag]``."""
    latest: dict[str, tuple[str, ObjectChange]] = {}
    for tag, change in changes:
        doc_id = document_id(change.bucket, change.key)
        previous = latest.get(doc_id)
        if previous is None or not is_older(normalize_sequencer(change.sequencer), _seq(previous[1])):
            if previous is not None:
                outcomes[previous[0]].stale += 1
            latest[doc_id] = (tag, change)
        else:
            outcomes[tag].stale += 1
    if not latest:
        return
    try:
        stored = read_states(client, index, list(latest))
    except OpenSearchException as error:
        logger.warning("engine unavailable before the batch", extra={"error": repr(error)})
        for tag, _ in latest.values():
            outcomes[tag].fail(f"engine: {error!r}")
        return
    planned = []
    fetch = _prefetched(fetch, [change for _, change in latest.values()])
    for doc_id, (tag, change) in latest.items():
        write = _plan(change, doc_id, stored.get(doc_id), index, fetch, outcomes[tag])
        if write is not None:
            planned.append(write)
    try:  # copies of one story share a `story` (search groups them): one _msearch for the batch
        assign_stories(
            client, index, {w.op["_id"]: w.op["script"]["params"]["doc"] for w in planned if w.kind == "indexed"}
        )
    except OpenSearchException as error:
        logger.warning("engine unavailable before the batch", extra={"error": repr(error)})
        for write in planned:
            outcomes[write.tag].fail(f"engine: {error!r}")
        return
    ops = [{**w.op, "require_alias": True} if require_alias else w.op for w in planned]
    for write, result in zip(planned, write_bulk(client, ops), strict=True):
        outcome = outcomes[write.tag]
        if not result.ok:
            outcome.fail(result.error)
        elif write.kind == "indexed":
            outcome.indexed += 1
        elif write.kind == "deleted":
            outcome.deleted += 1
        else:
            outcome.unchanged += 1
    _record_metrics(outcomes.values())


def _prefetched(fetch: Fetch, changes: list[ObjectChange]) -> Fetch:
    """Read the batch's objects concurrently (S3 reads wait on the network); errors surface at use."""
    wanted = sorted({(c.bucket, c.key) for c in changes if c.action == "upsert"})
    if len(wanted) < 2:
        return fetch
    with ThreadPoolExecutor(max_workers=min(FETCH_CONCURRENCY, len(wanted))) as pool:
        futures = {where: pool.submit(fetch, *where) for where in wanted}
    return lambda bucket, key: futures[(bucket, key)].result()


def _seq(change: ObjectChange) -> str:
    return normalize_sequencer(change.sequencer)


def read_states(client: OpenSearch, index: str, ids: list[str]) -> dict[str, StoredState]:
    """Sequencer, content hash and tombstone flag of the stored documents among ``ids``."""
    response = client.mget(index=index, body={"ids": ids}, params={"_source_includes": ",".join(STATE_FIELDS)})
    states = {}
    for doc in response.get("docs", []):
        if doc.get("found"):
            source = doc.get("_source") or {}
            states[doc["_id"]] = StoredState(
                str(source.get("sequencer") or ""), str(source.get("content_hash") or ""), bool(source.get("deleted"))
            )
    return states


def _plan(
    change: ObjectChange,
    doc_id: str,
    state: StoredState | None,
    index: str,
    fetch: Fetch,
    outcome: MessageOutcome,
) -> PlannedWrite | None:
    sequencer = _seq(change)
    if state is not None and is_older(sequencer, state.sequencer):
        outcome.stale += 1
        logger.info("stale event ignored", extra={"key": change.key, "sequencer": sequencer, "stored": state.sequencer})
        return None
    if change.action == "delete":
        if not sequencer:  # nothing to order against: a plain delete (a tombstone would protect nothing)
            return PlannedWrite(outcome.message_id, "deleted", {"_op_type": "delete", "_index": index, "_id": doc_id})
        return PlannedWrite(outcome.message_id, "deleted", _tombstone_op(index, doc_id, sequencer, change))
    try:
        obj = fetch(change.bucket, change.key)
        content_hash = hashlib.sha256(obj.body).hexdigest()
        same = state is not None and not state.deleted and state.content_hash == content_hash
        if same and state is not None and not is_older(state.sequencer, sequencer):
            outcome.unchanged += 1  # identical content and no newer order mark: no write at all
            return None
        article = extract_article(obj.body, obj.metadata, key=change.key, content_type=obj.content_type)
    except ObjectMissing as error:  # deleted before we read it: its delete event carries the ordering
        skip(outcome, "object_missing", str(error), key=change.key)
        return None
    except (ObjectTooLarge, Unindexable) as error:
        skip(outcome, error.reason if isinstance(error, Unindexable) else "too_large", str(error), key=change.key)
        if state is None or state.deleted:
            return None
        # The key's old document must not outlive its object: tombstone it.
        return PlannedWrite(outcome.message_id, "deleted", _tombstone_op(index, doc_id, sequencer, change))
    except Exception as error:  # S3 throttling, network: transient, retry the message
        logger.warning("fetch failed", extra={"key": change.key, "error": repr(error)})
        outcome.fail(f"fetch: {error!r}")
        return None
    document = IndexedArticle(
        bucket=change.bucket,
        key=change.key,
        article=article,
        size=len(obj.body),
        content_hash=content_hash,
        sequencer=sequencer,
    ).to_document()
    return PlannedWrite(
        outcome.message_id, "unchanged" if same else "indexed", _scripted(index, doc_id, "index", sequencer, document)
    )


def _tombstone_op(index: str, doc_id: str, sequencer: str, change: ObjectChange) -> dict[str, Any]:
    return _scripted(index, doc_id, "tombstone", sequencer, tombstone(change))


def skip(outcome: MessageOutcome, reason: str, detail: str, key: str | None = None) -> None:
    outcome.skipped.append(reason)
    logger.info("skipped", extra={"reason": reason, "detail": detail, "key": key, "message_id": outcome.message_id})
    metrics.add_metric(name="ObjectsSkipped", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name=f"Skipped_{reason}", unit=MetricUnit.Count, value=1)


def _record_metrics(outcomes: Any) -> None:
    totals = {"DocumentsIndexed": 0, "DocumentsDeleted": 0, "DocumentsUnchanged": 0, "EventsStale": 0}
    for outcome in outcomes:
        totals["DocumentsIndexed"] += outcome.indexed
        totals["DocumentsDeleted"] += outcome.deleted
        totals["DocumentsUnchanged"] += outcome.unchanged
        totals["EventsStale"] += outcome.stale
    for name, value in totals.items():
        if value:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
