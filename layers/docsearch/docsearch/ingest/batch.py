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

Writes without a sequencer (a backfill; moto's local events) are conditional on the stored
document being the one read before the object was fetched (``create`` where there was none,
``if_seq_no`` where there was one): if anything wrote the key meanwhile, the engine refuses the
write (409) and the key is retried from a fresh read of both, so an unordered write never undoes
a newer upload or delete. This needs the states read *before* the objects (``apply_changes``
keeps that order).

While a reindex fills a new index (the alias ``<alias>-next`` points at it), every write also
goes to that index, ordered writes as they are and unordered ones conditional on that index's
own state, so the copy and the live writes meet in the new index whatever their timing (see
``index/reindex.py``).

Each message ends ``done`` (indexed, deleted, unchanged, stale, or skipped with a recorded
reason) or ``retry`` (S3 or the engine failed transiently; after the configured receives
the queue moves it to the dead-letter queue). An engine refusal of one document (HTTP 400: a
mapping it cannot take) is that document's skip (``engine_rejected``), never the batch's retry.
A skipped object leaves a *skip record*: a tombstone that also carries ``skip_reason``,
``skip_detail`` and what identifies the object (``content_hash`` or ``size``), so ``docsearch
status`` and ``docsearch upload`` can tell the uploader what became of it; like every tombstone
it replaces the key's previous document. The outcomes are the whole report: the caller (the
ingest function, a backfill) logs and measures them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from docsearch.index.definition import building_indices
from docsearch.ingest.article import IndexedArticle, document_id
from docsearch.ingest.bulk import CONFLICT, ItemResult, write_bulk
from docsearch.ingest.events import MalformedMessage, ObjectChange, parse_notification
from docsearch.ingest.extract import Unindexable, extract_article
from docsearch.ingest.fingerprint import assign_stories
from docsearch.ingest.objects import ObjectMissing, ObjectTooLarge, StoredObject
from docsearch.ingest.timelimit import cpu_time_limit, extraction_budget_s

Fetch = Callable[[str, str], StoredObject]
RETRY_ON_CONFLICT = 5
STATE_FIELDS = ["sequencer", "content_hash", "deleted"]
# Objects of one batch read at once: S3 GETs wait on the network, not the CPU (make bench: the path
# without S3 reads ran 3-6x faster, so reading is what an ingest batch waits on).
FETCH_CONCURRENCY = 10
REJECTED = 400  # the engine cannot take this document (mapping): permanent, for this document only


@dataclass(frozen=True)
class Skip:
    """An object left out on purpose, and why (``reason`` is a short code: ``empty``, ``too_large``...)."""

    reason: str
    detail: str
    key: str | None = None


# Memory is bounded by bytes, not by count: a batch reads, extracts and writes its objects in waves of at
# most ``byte_budget`` object bytes (settings.batch_byte_budget; one wave for ordinary articles).
DEFAULT_BYTE_BUDGET = 64 * 2**20
# No extraction starts with less wall time than this left before the batch's deadline: the rest of the
# batch is retried rather than cut off by the function's timeout (which would retry all of it).
EXTRACT_RESERVE_S = 10.0
EXTRACT_RESERVE_SHARE = 1 / 3  # of a shorter budget (a local worker's few seconds): the same idea, to scale


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
    seq_no: int | None = None  # the engine's write position, for conditional (unordered) writes
    primary_term: int | None = None


@dataclass(frozen=True)
class PlannedWrite:
    """One key's write, built per target index (the alias, and an index a reindex is filling)."""

    tag: str
    kind: Literal["indexed", "deleted", "unchanged", "skipped"]
    doc_id: str
    sequencer: str
    doc: dict[str, Any] | None  # the document, or the tombstone when ``kind`` is deleted; None: plain delete
    live_before: bool = False  # the key had a live document (an engine refusal must tombstone it)

    def op(self, index: str, state: StoredState | None) -> dict[str, Any]:
        """The bulk action in ``index``; an unordered one is guarded by ``state``, as read before the fetch."""
        if self.doc is None:
            return {"_op_type": "delete", "_index": index, "_id": self.doc_id}
        mode = "index" if self.kind in ("indexed", "unchanged") else "tombstone"
        if self.sequencer:  # ordered by the sequencer inside the engine: the same write is right in any index
            return _scripted(index, self.doc_id, mode, self.sequencer, self.doc)
        if state is None:  # absent when read: create-only
            return {"_op_type": "create", "_index": index, "_id": self.doc_id, "_source": self.doc}
        op = _scripted(index, self.doc_id, mode, self.sequencer, self.doc)
        if state.seq_no is not None and state.primary_term is not None:
            # An update of the document as read (the engine takes no upsert or retry with if_seq_no).
            for name in ("retry_on_conflict", "upsert", "scripted_upsert"):
                del op[name]
            op.update(if_seq_no=state.seq_no, if_primary_term=state.primary_term)
        return op


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
    byte_budget: int = DEFAULT_BYTE_BUDGET,
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
    apply_changes(
        changes, outcomes, client, index, fetch, require_alias=True, deadline=deadline, byte_budget=byte_budget
    )
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
    byte_budget: int = DEFAULT_BYTE_BUDGET,
) -> None:
    """Apply tagged changes (one ``_bulk`` per wave of ``byte_budget``); record what happened in ``outcomes[tag]``."""
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
        # States first, objects after: a conditional write is then refused if the key changed since.
        states = {index: read_states(client, index, list(latest))}
        states |= {name: read_states(client, name, list(latest)) for name in building_indices(client, index)}
    except OpenSearchException as error:
        for tag, _ in latest.values():
            outcomes[tag].fail(f"engine: {error!r}")
        return
    extract_until = _extract_until(deadline)
    for wave in _waves(list(latest.items()), byte_budget):
        planned = []
        fetch_wave = _prefetched(fetch, [change for _, (_, change) in wave])
        for doc_id, (tag, change) in wave:
            plan = _plan(change, doc_id, states[index].get(doc_id), fetch_wave, tag, extract_until)
            outcomes[tag].record(plan)
            if plan.write is not None:
                planned.append(plan.write)
        del fetch_wave  # the wave's object bytes go before the next wave is read
        try:  # copies of one story share a `story` (search groups them): one _msearch for the wave
            assign_stories(client, index, {w.doc_id: w.doc for w in planned if w.kind == "indexed" and w.doc})
        except OpenSearchException as error:
            for write in planned:
                outcomes[write.tag].fail(f"engine: {error!r}")
            continue
        rejected = _write(client, planned, index, states, outcomes, require_alias, deadline)
        if rejected:  # their new versions cannot be indexed: skip records replace their old documents
            _write(client, rejected, index, states, outcomes, require_alias, deadline)


def _extract_until(deadline: float | None) -> float | None:
    """The last instant an extraction may start: the deadline less the reserve the writes need."""
    if deadline is None:
        return None
    budget = deadline - time.monotonic()
    return deadline - min(EXTRACT_RESERVE_S, max(budget, 0.0) * EXTRACT_RESERVE_SHARE)


def _write(
    client: OpenSearch,
    planned: list[PlannedWrite],
    index: str,
    states: dict[str, dict[str, StoredState]],
    outcomes: dict[str, MessageOutcome],
    require_alias: bool,
    deadline: float | None,
) -> list[PlannedWrite]:
    """One ``_bulk`` for ``planned`` in every target index; record outcomes; return tombstones for refused keys.

    ``states`` holds, per target index (``index`` first), the states read before the objects.
    """
    ops = []
    for name, known in states.items():
        for w in planned:
            op = w.op(name, known.get(w.doc_id))
            ops.append({**op, "require_alias": True} if require_alias and name == index else op)
    results = write_bulk(client, ops, deadline)
    tombstones = []
    for n, write in enumerate(planned):
        outcome = outcomes[write.tag]
        main, *copies = results[n :: len(planned)]
        guarded = "if_seq_no" in ops[n]  # an engine refusing the condition itself must not tombstone the key
        if main.status == REJECTED and write.kind == "indexed" and not guarded:
            outcome.skips.append(Skip("engine_rejected", main.error, (write.doc or {}).get("key")))
            tombstones.append(_tombstone_for(write, main.error))
            continue
        failed = next((r for r in (main, *copies) if not r.ok), None)
        if failed is not None:  # retried whole (writes are idempotent); a lost race re-reads state and object
            outcome.fail(f"changed since read, retry: {failed.error}" if _lost_race(failed) else failed.error)
        elif write.kind == "indexed":
            outcome.indexed += 1
        elif write.kind == "deleted":
            outcome.deleted += 1
        elif write.kind == "unchanged":
            outcome.unchanged += 1
    return tombstones


def _lost_race(result: ItemResult) -> bool:
    """A conditional write refused because the key was written (409) or removed (404) since it was read."""
    return result.status == CONFLICT or (result.status == 404 and "document_missing" in result.error)


def _waves(items: list[tuple[str, tuple[str, ObjectChange]]], byte_budget: int) -> list[list[Any]]:
    """Consecutive groups whose known object sizes add up to at most ``byte_budget`` (an object of
    unknown size counts as a FETCH_CONCURRENCY-th of it; a bigger object than the budget goes alone)."""
    waves: list[list[Any]] = [[]]
    held = 0
    for item in items:
        change = item[1][1]
        size = 0 if change.action == "delete" else change.size
        size = byte_budget // FETCH_CONCURRENCY if size is None else size
        if waves[-1] and held + size > byte_budget:
            waves.append([])
            held = 0
        waves[-1].append(item)
        held += size
    return waves


def _prefetched(fetch: Fetch, changes: list[ObjectChange]) -> Fetch:
    """Start reading the batch's objects concurrently (S3 reads wait on the network); each one's
    result (or error) is handed over when it is asked for, without waiting for the others."""
    wanted = sorted({(c.bucket, c.key) for c in changes if c.action == "upsert"})
    if len(wanted) < 2:
        return fetch
    pool = ThreadPoolExecutor(max_workers=min(FETCH_CONCURRENCY, len(wanted)))
    futures = {where: pool.submit(fetch, *where) for where in wanted}
    pool.shutdown(wait=False)  # the submitted reads still run to the end
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
                str(source.get("sequencer") or ""),
                str(source.get("content_hash") or ""),
                bool(source.get("deleted")),
                doc.get("_seq_no"),
                doc.get("_primary_term"),
            )
    return states


def _plan(
    change: ObjectChange, doc_id: str, state: StoredState | None, fetch: Fetch, tag: str, extract_until: float | None
) -> Plan:
    """Decide what one change needs, given what is stored: a write, or why none."""
    sequencer = _seq(change)
    if state is not None and is_older(sequencer, state.sequencer):
        return Plan(stale=True)
    if change.action == "delete":
        if not sequencer:  # nothing to order against: a plain delete (a tombstone would protect nothing)
            return Plan(PlannedWrite(tag, "deleted", doc_id, sequencer, None))
        return Plan(PlannedWrite(tag, "deleted", doc_id, sequencer, tombstone(change), _live(state)))
    if extract_until is not None and time.monotonic() > extract_until:
        return Plan(error="the batch ran out of time before this object: retried")
    content_hash: str | None = None
    try:
        obj = fetch(change.bucket, change.key)
        content_hash = hashlib.sha256(obj.body).hexdigest()
        same = state is not None and not state.deleted and state.content_hash == content_hash
        if same and state is not None and not is_older(state.sequencer, sequencer):
            return Plan(unchanged=True)  # identical content and no newer order mark: no write at all
        with cpu_time_limit(extraction_budget_s(len(obj.body))):  # past it: skipped as too_slow
            article = extract_article(obj.body, obj.metadata, key=change.key, content_type=obj.content_type)
    except ObjectMissing as error:  # deleted before we read it: its delete event carries the ordering
        return Plan(skip=Skip("object_missing", str(error), change.key))
    except (ObjectTooLarge, Unindexable) as error:
        skip = Skip(error.reason if isinstance(error, Unindexable) else "too_large", str(error), change.key)
        size = error.size if isinstance(error, ObjectTooLarge) else None
        record = tombstone(change, skipped=SkipRecord(skip.reason, skip.detail, content_hash=content_hash, size=size))
        # A skip record replaces the key's old document too: that must not outlive its object.
        kind: Literal["deleted", "skipped"] = "deleted" if _live(state) else "skipped"
        return Plan(PlannedWrite(tag, kind, doc_id, sequencer, record, _live(state)), skip=skip)
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
    written: Literal["indexed", "unchanged"] = "unchanged" if same else "indexed"
    return Plan(PlannedWrite(tag, written, doc_id, sequencer, document, _live(state)))


def _live(state: StoredState | None) -> bool:
    return state is not None and not state.deleted


def _tombstone_for(write: PlannedWrite, error: str) -> PlannedWrite:
    """The skip record that replaces a document the engine refused (same key and order mark)."""
    source = write.doc or {}
    doc = {k: source.get(k) for k in ("bucket", "key", "indexed_at", "content_hash", "size")}
    doc |= {"deleted": True, "sequencer": write.sequencer, "skip_reason": "engine_rejected"}
    doc["skip_detail"] = error[:MAX_SKIP_DETAIL_CHARS]
    kind: Literal["deleted", "skipped"] = "deleted" if write.live_before else "skipped"
    return PlannedWrite(write.tag, kind, write.doc_id, write.sequencer, doc)
