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
reason: a skipped object leaves a *skip record*, a tombstone that also carries ``skip_reason``,
``skip_detail`` and what identifies the object (``content_hash`` or ``size``), so ``docsearch
status`` and ``docsearch upload`` can tell the uploader what became of it) or ``retry`` (S3
or the engine failed transiently; after the configured receives the queue moves it to the
dead-letter queue). The outcomes are the whole report: the caller (the ingest function, a
backfill) logs and measures them.
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

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from docsearch.ingest.article import IndexedArticle, document_id
from docsearch.ingest.bulk import write_bulk
from docsearch.ingest.events import MalformedMessage, ObjectChange, parse_notification
from docsearch.ingest.extract import Unindexable, extract_article
from docsearch.ingest.objects import ObjectMissing, ObjectTooLarge, StoredObject

Fetch = Callable[[str, str], StoredObject]
RETRY_ON_CONFLICT = 5
STATE_FIELDS = ["sequencer", "content_hash", "deleted"]
# Objects of one batch read at once: S3 GETs wait on the network, not the CPU (make bench: the path
# without S3 reads ran 3-6x faster, so reading is what an ingest batch waits on).
FETCH_CONCURRENCY = 10


@dataclass(frozen=True)
class Skip:
    """An object left out on purpose, and why (``reason`` is a short code: ``empty``, ``too_large``...)."""

    reason: str
    detail: str
    key: str | None = None


@dataclass
class MessageOutcome:
    message_id: str
    status: Literal["done", "retry"] = "done"
    indexed: int = 0
    deleted: int = 0
    unchanged: int = 0
    stale: int = 0  # older than what is stored, or superseded in the same batch: nothing to do
    skips: list[Skip] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> list[str]:
        return [skip.reason for skip in self.skips]

    def fail(self, reason: str) -> None:
        self.status = "retry"
        self.errors.append(reason)

    def record(self, plan: Plan) -> None:
        """Count what planning decided (the write itself is counted when the engine has answered)."""
        self.stale += plan.stale
        self.unchanged += plan.unchanged
        if plan.skip is not None:
            self.skips.append(plan.skip)
        if plan.error:
            self.fail(plan.error)


@dataclass(frozen=True)
class StoredState:
    sequencer: str
    content_hash: str
    deleted: bool


@dataclass(frozen=True)
class PlannedWrite:
    kind: Literal["indexed", "deleted", "unchanged", "skipped"]
    op: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """What to do about one change: a write (or none), and what to count for its message."""

    write: PlannedWrite | None = None
    stale: bool = False
    unchanged: bool = False
    skip: Skip | None = None
    error: str = ""


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


@dataclass(frozen=True)
class SkipRecord:
    """Why an object was not indexed, and what identifies the version that was skipped."""

    reason: str
    detail: str
    content_hash: str | None = None
    size: int | None = None


MAX_SKIP_DETAIL_CHARS = 500


def tombstone(change: ObjectChange, now: datetime | None = None, skipped: SkipRecord | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "bucket": change.bucket,
        "key": change.key,
        "deleted": True,
        "sequencer": normalize_sequencer(change.sequencer),
        "indexed_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
    }
    if skipped is not None:
        doc["skip_reason"] = skipped.reason
        doc["skip_detail"] = skipped.detail[:MAX_SKIP_DETAIL_CHARS]
        if skipped.content_hash is not None:
            doc["content_hash"] = skipped.content_hash
        if skipped.size is not None:
            doc["size"] = skipped.size
    return doc


def ingest_messages(
    messages: Sequence[tuple[str, str]],
    client: OpenSearch,
    index: str,
    fetch: Fetch,
    deadline: float | None = None,
) -> dict[str, MessageOutcome]:
    """Ingest ``(message_id, body)`` pairs; return the outcome of each message.

    ``deadline`` (a ``time.monotonic()`` instant) bounds the engine retries: see ``bulk.write_bulk``.
    """
    outcomes = {message_id: MessageOutcome(message_id) for message_id, _ in messages}
    changes: list[tuple[str, ObjectChange]] = []
    for message_id, body in messages:
        try:
            changes.extend((message_id, change) for change in parse_notification(body))
        except MalformedMessage as error:
            outcomes[message_id].skips.append(Skip("malformed_message", str(error)))
    # Events write through the alias only: were it ever missing, the engine must refuse the write
    # (the message is retried after ensure_index) rather than auto-create an index without our mapping.
    apply_changes(changes, outcomes, client, index, fetch, require_alias=True, deadline=deadline)
    return outcomes


def apply_changes(
    changes: Sequence[tuple[str, ObjectChange]],
    outcomes: dict[str, MessageOutcome],
    client: OpenSearch,
    index: str,
    fetch: Fetch,
    *,
    require_alias: bool = False,
    deadline: float | None = None,
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
        for tag, _ in latest.values():
            outcomes[tag].fail(f"engine: {error!r}")
        return
    planned: list[tuple[str, PlannedWrite]] = []
    fetch = _prefetched(fetch, [change for _, change in latest.values()])
    for doc_id, (tag, change) in latest.items():
        plan = _plan(change, doc_id, stored.get(doc_id), index, fetch)
        outcomes[tag].record(plan)
        if plan.write is not None:
            planned.append((tag, plan.write))
    ops = [{**w.op, "require_alias": True} if require_alias else w.op for _, w in planned]
    for (tag, write), result in zip(planned, write_bulk(client, ops, deadline), strict=True):
        outcome = outcomes[tag]
        if not result.ok:
            outcome.fail(result.error)
        elif write.kind == "indexed":
            outcome.indexed += 1
        elif write.kind == "deleted":
            outcome.deleted += 1
        elif write.kind == "unchanged":
            outcome.unchanged += 1


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


def _plan(change: ObjectChange, doc_id: str, state: StoredState | None, index: str, fetch: Fetch) -> Plan:
    """Decide what one change needs, given what is stored: a write, or why none."""
    sequencer = _seq(change)
    if state is not None and is_older(sequencer, state.sequencer):
        return Plan(stale=True)
    if change.action == "delete":
        if not sequencer:  # nothing to order against: a plain delete (a tombstone would protect nothing)
            return Plan(PlannedWrite("deleted", {"_op_type": "delete", "_index": index, "_id": doc_id}))
        return Plan(PlannedWrite("deleted", _tombstone_op(index, doc_id, sequencer, change)))
    content_hash: str | None = None
    try:
        obj = fetch(change.bucket, change.key)
        content_hash = hashlib.sha256(obj.body).hexdigest()
        same = state is not None and not state.deleted and state.content_hash == content_hash
        if same and state is not None and not is_older(state.sequencer, sequencer):
            return Plan(unchanged=True)  # identical content and no newer order mark: no write at all
        article = extract_article(obj.body, obj.metadata, key=change.key, content_type=obj.content_type)
    except ObjectMissing as error:  # deleted before we read it: its delete event carries the ordering
        return Plan(skip=Skip("object_missing", str(error), change.key))
    except (ObjectTooLarge, Unindexable) as error:
        skip = Skip(error.reason if isinstance(error, Unindexable) else "too_large", str(error), change.key)
        size = error.size if isinstance(error, ObjectTooLarge) else None
        record = SkipRecord(skip.reason, skip.detail, content_hash=content_hash, size=size)
        # A skip record replaces the key's old document too: that must not outlive its object.
        kind: Literal["deleted", "skipped"] = "deleted" if state is not None and not state.deleted else "skipped"
        return Plan(PlannedWrite(kind, _tombstone_op(index, doc_id, sequencer, change, record)), skip=skip)
    except Exception as error:  # S3 throttling, network: transient, retry the message
        return Plan(error=f"fetch: {error!r}")
    document = IndexedArticle(
        bucket=change.bucket,
        key=change.key,
        article=article,
        size=len(obj.body),
        content_hash=content_hash,
        sequencer=sequencer,
    ).to_document()
    write = _scripted(index, doc_id, "index", sequencer, document)
    return Plan(PlannedWrite("unchanged" if same else "indexed", write))


def _tombstone_op(
    index: str, doc_id: str, sequencer: str, change: ObjectChange, skipped: SkipRecord | None = None
) -> dict[str, Any]:
    return _scripted(index, doc_id, "tombstone", sequencer, tombstone(change, skipped=skipped))
