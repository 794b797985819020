"""Object changes -> one ``_bulk`` request -> an outcome per message (or per backfilled key).

Order and duplicates. S3 delivers events at least once and out of order; each carries a
``sequencer`` (hex, larger is later, for the same key). A batch reads the stored state of its keys
(sequencer, content hash, tombstone flag, and the engine's ``_seq_no``/``_primary_term``: one
``_mget``) *before* it fetches the objects, decides each write from that state (an event older than
the stored sequencer is ``stale``: no write), and makes every write conditional on it: ``create``
where the key was absent, ``index`` with ``if_seq_no``/``if_primary_term`` where it was present. If
anything wrote the key between the read and the write, the engine refuses the write (409, or 404
``document_missing`` for an update); those keys are read again, their objects fetched again and
decided again, once, in the same batch; a key that loses that race too is retried by the queue. So a
late older event is a no-op whatever the timing, and no script runs inside the engine.
A delete writes a *tombstone* (``deleted: true`` and the delete's sequencer, no text)
rather than removing the document, so a late older create cannot bring it back.
Tombstones have no title or body, so no text query matches them; filters and
``GET /documents/{id}`` must still exclude ``deleted: true``.

Identical content under the same key does no write: an identical object is counted as
``unchanged`` (when its event is newer, only the stored sequencer moves forward, a partial
``update`` under the same condition, so a late delete that came between two identical uploads
cannot remove the document).

Writes without a sequencer (a backfill; moto's local events) are decided and guarded the same way
and keep the order mark they find, so an unordered write never undoes a newer upload or delete.
Their objects are read only *after* their states: an object read first could be overwritten, and its
newer document written, before the state read, and the guard would then let the older bytes replace
it. An event's object may be read while the states are: S3 returns that event's version or a later
one, and the sequencer, not the guard, decides whether it is older than what is stored.
Those objects are also extracted while the engine answers (the CPU would wait otherwise); the plan
then uses or drops each extraction, so an object with identical content is still never written.

While a reindex fills a new index (the alias ``<alias>-next`` points at it), every write also
goes to that index, decided from and conditional on that index's own state (read in the same
``_mget``), so the copy and the live writes meet in the new index whatever their timing (see
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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from docsearch.aliases import building_indices
from docsearch.ingest.article import Article, IndexedArticle, document_id
from docsearch.ingest.bulk import CONFLICT, TOO_LARGE, ItemResult, write_bulk
from docsearch.ingest.events import MalformedMessage, ObjectChange, parse_notification
from docsearch.ingest.extract import Unindexable, extract_article
from docsearch.ingest.fingerprint import assign_stories
from docsearch.ingest.objects import ObjectMissing, ObjectTooLarge, StoredObject
from docsearch.ingest.timelimit import cpu_time_limit, extraction_budget_s

Fetch = Callable[[str, str], StoredObject]
STATE_FIELDS = ["sequencer", "content_hash", "deleted", "skip_reason", "size"]
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
    seq_no: int | None = None  # the engine's write position: every write is conditional on it
    primary_term: int | None = None
    skip_reason: str = ""  # of a tombstone that is a skip record
    size: int | None = None

    def holds(self, record: dict[str, Any]) -> bool:
        """This tombstone is ``record`` already (the same delete, or the same skip of the same object)."""
        return (
            self.deleted
            and self.skip_reason == (record.get("skip_reason") or "")
            and self.content_hash == (record.get("content_hash") or "")
            and self.size == record.get("size")
        )


@dataclass(frozen=True)
class PlannedWrite:
    """One key's write, built per target index (the alias, and an index a reindex is filling)."""

    tag: str
    kind: Literal["indexed", "deleted", "unchanged", "skipped"]
    doc_id: str
    sequencer: str
    doc: dict[str, Any] | None  # the document, or the tombstone when ``kind`` is deleted; None: plain delete
    live_before: bool = False  # the key had a live document (an engine refusal must tombstone it)

    def op(self, index: str, state: StoredState | None) -> dict[str, Any] | None:
        """The bulk action in ``index`` given its ``state`` as read before the fetch, or None: nothing to do there.

        Every action is conditional on that state: ``create`` where the key was absent, ``if_seq_no`` and
        ``if_primary_term`` where it was present, so the engine refuses it (409) if anything wrote the key since.
        """
        if state is not None and is_older(self.sequencer, state.sequencer):
            return None  # a later event already wrote this index
        target = {"_index": index, "_id": self.doc_id, **_guard(state)}
        if self.doc is None:
            return {"_op_type": "delete", **target}
        if self.kind in ("indexed", "unchanged") and _same(state, self.doc.get("content_hash")):
            if state is not None and _moves(self.sequencer, state):  # same content, newer event: the mark moves
                return {"_op_type": "update", **target, "doc": {"sequencer": self.sequencer}}
            return None  # identical content: no write
        already = state is not None and state.holds(self.doc) and self.sequencer in ("", state.sequencer)
        if self.kind in ("deleted", "skipped") and already:
            return None  # already deleted (or skipped, for the same object) by this or an unordered event
        doc = self.doc
        if not self.sequencer and state is not None and state.sequencer:
            doc = {**doc, "sequencer": state.sequencer}  # an unordered write keeps the order mark it found
        return {"_op_type": "create" if state is None else "index", **target, "_source": doc}


def _guard(state: StoredState | None) -> dict[str, int]:
    """The condition that the key is still as read (an engine whose ``_mget`` gave no ``_seq_no``: none)."""
    if state is None or state.seq_no is None or state.primary_term is None:
        return {}
    return {"if_seq_no": state.seq_no, "if_primary_term": state.primary_term}


def _same(state: StoredState | None, content_hash: str | None) -> bool:
    """The key holds a live document with these bytes."""
    return state is not None and not state.deleted and bool(content_hash) and state.content_hash == content_hash


def _moves(sequencer: str, state: StoredState) -> bool:
    """An event for the stored content that is newer than the stored order mark."""
    return bool(sequencer) and sequencer != state.sequencer


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
    building: Callable[[], Sequence[str]] | None = None,
) -> dict[str, MessageOutcome]:
    """Ingest ``(message_id, body)`` pairs; return the outcome of each message.

    ``deadline`` (a ``time.monotonic()`` instant) bounds the engine retries: see ``bulk.write_bulk``.
    ``building``: how to learn the indices a reindex is filling (else one alias lookup); see ``apply_changes``.
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
        changes,
        outcomes,
        client,
        index,
        fetch,
        require_alias=True,
        deadline=deadline,
        byte_budget=byte_budget,
        building=building,
    )
    return outcomes


Item = tuple[str, tuple[str, ObjectChange]]  # (document id, (tag, change))


@dataclass
class _Batch:
    """What the waves of one ``apply_changes`` share."""

    client: OpenSearch
    index: str
    targets: list[str]  # the alias first, then the indices a reindex is filling
    fetch: Fetch
    outcomes: dict[str, MessageOutcome]
    require_alias: bool
    deadline: float | None
    extract_until: float | None
    extracted: dict[tuple[str, str], Extracted] = field(default_factory=dict)  # see _extract_while_waiting


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
    building: Callable[[], Sequence[str]] | None = None,
) -> None:
    """Apply tagged changes (one ``_bulk`` per wave of ``byte_budget``); record what happened in ``outcomes[tag]``.

    A key some other writer changed between the read of its state and the write is re-read and re-planned
    (its object fetched again) once in the same wave; if it loses that race too, its message is retried.
    ``building`` (default: ``building_indices``) is asked once the first reads have started: the lookup waits
    on the engine beside them rather than before them.
    """
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
    waves = _waves(list(latest.items()), byte_budget)
    # An event's object is read while the states are (see the module doc); an unordered change's only after.
    # (held in a list the first wave takes it from, so its object bytes go when that wave is planned)
    sequenced = [change for _, (_, change) in waves[0] if change.sequencer]
    ahead = [_prefetched(fetch, sequenced)]

    def look_up() -> tuple[list[str], dict[str, dict[str, StoredState]]]:
        targets = [index, *(building_indices(client, index) if building is None else building())]
        return targets, read_states(client, targets, list(latest))

    extract_until = _extract_until(deadline)
    lookup = _lookups().submit(look_up)
    # While the engine answers, the objects already read are extracted (the CPU would idle otherwise); the
    # plan then decides what to do with them, and an extraction it would not have made is only dropped.
    extracted = _extract_while_waiting(lookup, ahead[0], sequenced, extract_until)
    try:
        targets, states = lookup.result()
    except OpenSearchException as error:
        for tag, _ in latest.values():
            outcomes[tag].fail(f"engine: {error!r}")
        return
    batch = _Batch(client, index, targets, fetch, outcomes, require_alias, deadline, extract_until, extracted)
    for wave in waves:
        raced, counted = _apply_wave(batch, wave, states, final=False, ahead=ahead.pop() if ahead else None)
        if not raced:
            continue
        try:
            fresh = read_states(client, targets, [doc_id for doc_id, _ in raced])
        except OpenSearchException as error:
            for _, (tag, _) in raced:
                outcomes[tag].fail(f"engine: {error!r}")
            continue
        _apply_wave(batch, raced, fresh, final=True, counted=counted)


def _apply_wave(
    batch: _Batch,
    wave: list[Item],
    states: dict[str, dict[str, StoredState]],
    *,
    final: bool,
    counted: frozenset[str] = frozenset(),
    ahead: Fetch | None = None,
) -> tuple[list[Item], frozenset[str]]:
    """Plan, fetch, extract and write one wave; return the keys that lost a race (to re-plan, unless ``final``)
    and, among them, those whose write to the alias went through (already counted for their message).

    ``ahead``: the reads of the wave's events, started before their states were read."""
    # A key already counted by an earlier attempt records into a scratch outcome: only a failure carries over.
    sinks = {doc_id: MessageOutcome(tag) if doc_id in counted else batch.outcomes[tag] for doc_id, (tag, _) in wave}
    plans = []
    changes = [change for _, (_, change) in wave]
    if ahead is None:
        fetch_wave = _prefetched(batch.fetch, changes)
    else:  # the unordered changes' reads start now, after their states were read
        fetch_wave = _prefetched(ahead, [change for change in changes if not change.sequencer])
    for doc_id, (tag, change) in wave:
        known = {name: states.get(name, {}).get(doc_id) for name in batch.targets}
        ready = batch.extracted.pop((change.bucket, change.key), None)
        plan = _plan(change, doc_id, known, batch.index, fetch_wave, tag, batch.extract_until, ready)
        if plan.write is None:
            sinks[doc_id].record(plan)
        else:
            plans.append(plan)
    del fetch_wave, ahead  # the wave's object bytes go before its write and before the next wave is read
    raced: list[Item] = []
    went_through: set[str] = set()
    try:  # copies of one story share a `story` (search groups them): one _msearch for the wave
        stories = {p.write.doc_id: p.write.doc for p in plans if p.write and p.write.kind == "indexed" and p.write.doc}
        assign_stories(batch.client, batch.index, stories)
    except OpenSearchException as error:
        for plan in plans:
            sinks[_key(plan)].record(plan)
            sinks[_key(plan)].fail(f"engine: {error!r}")
        plans = []
    if plans:
        rejected, lost = _write(batch, plans, states, sinks, final)
        if rejected:  # their new versions cannot be indexed: skip records replace their old documents
            _write(batch, rejected, states, sinks, final=True)
        items = dict(wave)
        raced = [(doc_id, items[doc_id]) for doc_id in lost]
        went_through = {doc_id for doc_id, through in lost.items() if through}
    for doc_id, (tag, _) in wave:
        sink = sinks[doc_id]
        if sink is not batch.outcomes[tag] and sink.status == "retry":
            for reason in sink.errors:
                batch.outcomes[tag].fail(reason)
    return raced, frozenset(went_through | counted)


def _key(plan: Plan) -> str:
    assert plan.write is not None
    return plan.write.doc_id


def _extract_until(deadline: float | None) -> float | None:
    """The last instant an extraction may start: the deadline less the reserve the writes need."""
    if deadline is None:
        return None
    budget = deadline - time.monotonic()
    return deadline - min(EXTRACT_RESERVE_S, max(budget, 0.0) * EXTRACT_RESERVE_SHARE)


def _write(
    batch: _Batch,
    plans: list[Plan],
    states: dict[str, dict[str, StoredState]],
    sinks: dict[str, MessageOutcome],
    final: bool,
) -> tuple[list[Plan], dict[str, bool]]:
    """One ``_bulk`` for ``plans`` in every target index; record outcomes in ``sinks`` (by document id).

    ``states`` holds, per target index, the states read before the objects. Returns the skip records
    that replace keys the engine refused, and (unless ``final``) the keys that lost a race, each with
    whether its write to the alias went through.
    """
    ops: list[dict[str, Any]] = []
    owners: list[tuple[int, bool]] = []  # per op: (plan, whether it is the alias's)
    for name in batch.targets:
        for n, plan in enumerate(plans):
            assert plan.write is not None
            op = plan.write.op(name, states.get(name, {}).get(plan.write.doc_id))
            if op is None:
                continue
            is_alias = name == batch.index
            ops.append({**op, "require_alias": True} if batch.require_alias and is_alias else op)
            owners.append((n, is_alias))
    results: list[list[tuple[bool, ItemResult]]] = [[] for _ in plans]
    for (n, is_alias), result in zip(owners, write_bulk(batch.client, ops, batch.deadline), strict=True):
        results[n].append((is_alias, result))
    tombstones: list[Plan] = []
    lost: dict[str, bool] = {}
    for plan, mine in zip(plans, results, strict=True):
        write = plan.write
        assert write is not None
        outcome = sinks[write.doc_id]
        main = next((r for is_main, r in mine if is_main), None)
        if main is not None and write.kind == "indexed" and _refused(main):
            outcome.record(plan)
            outcome.skips.append(Skip("engine_rejected", main.error, (write.doc or {}).get("key")))
            tombstones.append(Plan(_tombstone_for(write, main.error)))
            continue
        failed = [r for _, r in mine if not r.ok]
        if failed and not final and all(_lost_race(r) for r in failed):
            through = main is not None and main.ok
            if through:  # counted now; the re-plan only writes what the other index still needs
                outcome.record(plan)
                _count(outcome, write.kind)
            lost[write.doc_id] = through
            continue
        outcome.record(plan)
        if failed:  # retried whole (writes are idempotent); a lost race re-reads state and object
            reason = failed[0].error
            outcome.fail(f"changed since read, retry: {reason}" if _lost_race(failed[0]) else reason)
        else:
            _count(outcome, write.kind)
    return tombstones, lost


def _count(outcome: MessageOutcome, kind: str) -> None:
    if kind == "indexed":
        outcome.indexed += 1
    elif kind == "deleted":
        outcome.deleted += 1
    elif kind == "unchanged":
        outcome.unchanged += 1


def _refused(result: ItemResult) -> bool:
    """The engine cannot take this document (its mapping, or its size for one request): not a refusal of the
    request's condition."""
    if result.status == TOO_LARGE:
        return True
    return result.status == REJECTED and "action_request_validation_exception" not in result.error


def _lost_race(result: ItemResult) -> bool:
    """A conditional write refused because the key was written (409) or removed (404) since it was read."""
    return result.status == CONFLICT or (result.status == 404 and "document_missing" in result.error)


def _waves(items: list[Item], byte_budget: int) -> list[list[Item]]:
    """Consecutive groups whose known object sizes add up to at most ``byte_budget`` (an object of
    unknown size counts as a FETCH_CONCURRENCY-th of it; a bigger object than the budget goes alone)."""
    waves: list[list[Item]] = [[]]
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
    """Start reading the objects of ``changes`` concurrently (S3 reads wait on the network); each one's
    result (or error) is handed over when it is asked for, as often as it is, without waiting for the
    others. Any other object is read by ``fetch`` when it is asked for."""
    futures = {where: _readers().submit(fetch, *where) for where in read_ahead(changes)}
    if not futures:
        return fetch
    return lambda bucket, key: futures[(bucket, key)].result() if (bucket, key) in futures else fetch(bucket, key)


def read_ahead(changes: list[ObjectChange]) -> list[tuple[str, str]]:
    """The objects ``_prefetched`` reads at once: the upserts' (bucket, key), if two or more (a lone object
    is read when its plan asks for it, so a plan that needs no bytes reads none)."""
    wanted = sorted({(c.bucket, c.key) for c in changes if c.action == "upsert"})
    return wanted if len(wanted) >= 2 else []


@lru_cache(maxsize=1)
def _readers() -> ThreadPoolExecutor:
    """The threads that read objects, kept from batch to batch (a warm function starts none)."""
    return ThreadPoolExecutor(max_workers=FETCH_CONCURRENCY, thread_name_prefix="docsearch-read")


@lru_cache(maxsize=1)
def _lookups() -> ThreadPoolExecutor:
    """The thread that waits on the engine's answers a batch needs before it plans (kept, as the readers)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="docsearch-lookup")


Extracted = Article | Unindexable  # an object's article, or why it has none


def _extracted(key: str, obj: StoredObject) -> Article:
    """The article in ``obj``, within its CPU budget (past it: skipped as too_slow)."""
    with cpu_time_limit(extraction_budget_s(len(obj.body))):
        return extract_article(obj.body, obj.metadata, key=key, content_type=obj.content_type)


def _extract(ready: Extracted | None, key: str, obj: StoredObject) -> Article:
    """``ready`` if it was extracted while the engine answered, else extracted now."""
    if isinstance(ready, Unindexable):
        raise ready
    return ready if ready is not None else _extracted(key, obj)


def _extract_while_waiting(
    lookup: Future[Any], fetch: Fetch, changes: list[ObjectChange], extract_until: float | None
) -> dict[tuple[str, str], Extracted]:
    """Extract the objects ``fetch`` is reading ahead for ``changes``, in turn, until ``lookup`` is done (in
    this thread: the CPU limit is a signal). An object whose read failed is left to the plan, which reports it."""
    extracted: dict[tuple[str, str], Extracted] = {}
    for bucket, key in read_ahead(changes):
        if lookup.done() or (extract_until is not None and time.monotonic() > extract_until):
            break
        try:
            extracted[(bucket, key)] = _extracted(key, fetch(bucket, key))
        except Unindexable as error:
            extracted[(bucket, key)] = error
        except Exception:  # noqa: S112 (its read failed: the plan asks for it again and reports why)
            continue
    return extracted


def _seq(change: ObjectChange) -> str:
    return normalize_sequencer(change.sequencer)


class StatesUnreadable(OpenSearchException):
    """The engine could not read a key's state in one of the target indices (the batch is retried)."""


def read_states(client: OpenSearch, targets: Sequence[str], ids: list[str]) -> dict[str, dict[str, StoredState]]:
    """Per target index: sequencer, content hash, tombstone flag and write position of the stored
    documents among ``ids``. One ``_mget`` through the first target (the alias) for all of them."""
    wanted = [(name, doc_id) for name in targets for doc_id in ids]
    response = client.mget(
        index=targets[0],
        body={"docs": [{"_index": name, "_id": doc_id} for name, doc_id in wanted]},
        params={"_source_includes": ",".join(STATE_FIELDS)},
    )
    states: dict[str, dict[str, StoredState]] = {name: {} for name in targets}
    for (name, doc_id), doc in zip(wanted, response.get("docs", []), strict=True):
        if "error" in doc:
            raise StatesUnreadable(f"{name}/{doc_id}: {doc['error']}")
        if doc.get("found"):
            source = doc.get("_source") or {}
            states[name][doc_id] = StoredState(
                str(source.get("sequencer") or ""),
                str(source.get("content_hash") or ""),
                bool(source.get("deleted")),
                doc.get("_seq_no"),
                doc.get("_primary_term"),
                str(source.get("skip_reason") or ""),
                source.get("size") if source.get("deleted") else None,
            )
    return states


def _plan(
    change: ObjectChange,
    doc_id: str,
    states: dict[str, StoredState | None],
    index: str,
    fetch: Fetch,
    tag: str,
    extract_until: float | None,
    ready: Extracted | None,
) -> Plan:
    """Decide what one change needs, given what each target index holds (``index``, the alias, decides what
    is counted): a write, or why none. ``ready``: the object's extraction, if made while the engine answered."""
    sequencer = _seq(change)
    state = states[index]
    if state is not None and is_older(sequencer, state.sequencer):
        return Plan(stale=True)  # a later event wrote the key: nothing to do in any index
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
        same = _same(state, content_hash)
        # Where an index holds these bytes already, at most the order mark moves; extraction only when
        # some index (one a reindex is filling) needs the whole document.
        others = [s for s in states.values() if s is None or not is_older(sequencer, s.sequencer)]
        if same and all(_same(s, content_hash) for s in others):
            if not any(s is not None and _moves(sequencer, s) for s in others):
                return Plan(unchanged=True)  # identical content and no newer order mark: no write at all
            mark = {"content_hash": content_hash, "sequencer": sequencer}
            return Plan(PlannedWrite(tag, "unchanged", doc_id, sequencer, mark, True))
        article = _extract(ready, change.key, obj)
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
