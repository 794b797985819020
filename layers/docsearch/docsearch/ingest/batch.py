"""Object changes -> one ``_bulk`` request per wave -> an outcome per message (or per backfilled key).

The orchestrator of an ingest batch; each step is a module of its own, in the order a batch runs them:

- ``state``: the latest change of each key (S3 order by ``sequencer``), and what each target index holds of
  it (one ``_mget``, before any object is read for an unordered write);
- ``readahead``: the S3 reads started while the engine answers, the objects extracted meanwhile, and the
  waves that bound the object bytes a batch holds (``settings.batch_byte_budget``);
- ``plan``: per change, the write to make or why none (pure; stale, unchanged, indexed, deleted, skipped);
- ``fingerprint``: copies of one story share a ``story`` (one ``_msearch`` a wave);
- ``writes``: one conditional ``_bulk`` in every target index, and each key's outcome (``outcome``).

A key some other writer changed between the read of its state and the write is re-read and re-planned (its
object fetched again) once in the same batch; if it loses that race too, its message is retried. So a late
older event is a no-op whatever the timing, and no script runs inside the engine (docs/decisions/0001).
A delete writes a tombstone, a skipped object a skip record (``docsearch.document``).

While a reindex fills a new index (the alias ``<alias>-next`` points at it), every write also goes to that
index, decided from and conditional on that index's own state (read in the same ``_mget``), so the copy and
the live writes meet in the new index whatever their timing (see ``index/reindex.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from docsearch.aliases import building_indices
from docsearch.embed import Embedder
from docsearch.index.definition import ensure_write_targets
from docsearch.ingest.bulk import deadline_after
from docsearch.ingest.embedding import add_vectors, embedder_for
from docsearch.ingest.events import MalformedMessage, ObjectChange, parse_notification
from docsearch.ingest.extract import ReadOptions
from docsearch.ingest.fingerprint import assign_stories
from docsearch.ingest.objects import fetch_object
from docsearch.ingest.outcome import MessageOutcome
from docsearch.ingest.plan import Fetch, Plan, Skip, plan_change
from docsearch.ingest.readahead import (
    DEFAULT_BYTE_BUDGET,
    Extracted,
    Item,
    extract_until,
    extract_while_waiting,
    extractor,
    lookups,
    prefetched,
    waves,
)
from docsearch.ingest.state import States, Tagged, latest_changes, read_states
from docsearch.ingest.writes import Destination, write_plans
from docsearch.settings import Settings


def ingest_queue_batch(
    messages: Sequence[tuple[str, str]], client: OpenSearch, settings: Settings, remaining_ms: int
) -> dict[str, MessageOutcome]:
    """The ingest function's batch: ``(message_id, body)`` pairs with ``remaining_ms`` of the function's time.

    The alias is checked every batch, with whether a reindex is filling a new index, in one request (and the
    index created behind it if it is missing): caching it per container would let writes auto-create a
    mapping-less index if the alias were ever removed under a warm function, and miss a reindex that started.
    """
    alias = settings.index_alias
    return ingest_messages(
        messages,
        client,
        alias,
        fetch=lambda bucket, key: fetch_object(bucket, key, settings.max_object_bytes),
        byte_budget=settings.batch_byte_budget,  # memory bounded by bytes read, not by message count
        deadline=deadline_after(remaining_ms),  # bulk retries stop before the function's timeout
        building=lambda: ensure_write_targets(client, alias, settings.index_replicas)[1],
        options=ReadOptions.from_settings(settings),  # the outlet folders (SOURCE_PREFIXES), the size bound
        embedder=embedder_for(client),  # EMBEDDING_MODEL: each new article's vector for hybrid search
    )


def ingest_messages(
    messages: Sequence[tuple[str, str]],
    client: OpenSearch,
    index: str,
    fetch: Fetch,
    deadline: float | None = None,
    byte_budget: int = DEFAULT_BYTE_BUDGET,
    building: Callable[[], Sequence[str]] | None = None,
    options: ReadOptions | None = None,
    embedder: Embedder | None = None,
) -> dict[str, MessageOutcome]:
    """Ingest ``(message_id, body)`` pairs; return the outcome of each message.

    ``deadline`` (a ``time.monotonic()`` instant) bounds the engine retries: see ``bulk.write_bulk``.
    ``building``: how to learn the indices a reindex is filling (else one alias lookup); see ``apply_changes``.
    """
    outcomes = {message_id: MessageOutcome(message_id) for message_id, _ in messages}
    changes: list[Tagged] = []
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
        options=options,
        embedder=embedder,
    )
    return outcomes


@dataclass
class _Batch:
    """What the waves of one ``apply_changes`` share."""

    where: Destination
    fetch: Fetch
    outcomes: dict[str, MessageOutcome]
    extract_until: float | None
    options: ReadOptions | None = None  # what extraction reads of the settings
    embedder: Embedder | None = None  # each new document's vector (ingest/embedding.py); None: none
    extracted: dict[tuple[str, str], Extracted] = field(default_factory=dict)  # see extract_while_waiting


def apply_changes(
    changes: Sequence[Tagged],
    outcomes: dict[str, MessageOutcome],
    client: OpenSearch,
    index: str,
    fetch: Fetch,
    *,
    require_alias: bool = False,
    deadline: float | None = None,
    byte_budget: int = DEFAULT_BYTE_BUDGET,
    building: Callable[[], Sequence[str]] | None = None,
    options: ReadOptions | None = None,
    embedder: Embedder | None = None,
) -> None:
    """Apply tagged changes (one ``_bulk`` per wave of ``byte_budget``); record what happened in ``outcomes[tag]``.

    ``building`` (default: ``aliases.building_indices``) is asked once the first reads have started: the lookup
    waits on the engine beside them rather than before them.
    """
    latest, superseded = latest_changes(changes)
    for tag in superseded:
        outcomes[tag].stale += 1
    if not latest:
        return
    groups = waves(list(latest.items()), byte_budget)
    # An event's object is read while the states are (see readahead); an unordered change's only after.
    # (held in a list the first wave takes it from, so its object bytes go when that wave is planned)
    sequenced = [change for _, (_, change) in groups[0] if change.sequencer]
    ahead = [prefetched(fetch, sequenced)]
    until = extract_until(deadline)

    def look_up() -> tuple[list[str], States]:
        targets = [index, *(building_indices(client, index) if building is None else building())]
        return targets, read_states(client, targets, list(latest))

    lookup = lookups().submit(look_up)
    # While the engine answers, the objects already read are extracted (the CPU would idle otherwise); the
    # plan then decides what to do with them, and an extraction it would not have made is only dropped.
    extracted = extract_while_waiting(lookup, ahead[0], sequenced, until, options)
    try:
        targets, states = lookup.result()
    except OpenSearchException as error:
        _fail(outcomes, [tag for tag, _ in latest.values()], f"engine: {error!r}")
        return
    where = Destination(client, index, targets, require_alias, deadline)
    batch = _Batch(where, fetch, outcomes, until, options, embedder, extracted)
    for wave in groups:
        raced, counted = _apply_wave(batch, wave, states, final=False, ahead=ahead.pop() if ahead else None)
        if raced:
            _replan(batch, raced, counted)


def _replan(batch: _Batch, raced: list[Item], counted: frozenset[str]) -> None:
    """The keys that lost a race, once more from a fresh read of their states (and objects)."""
    try:
        fresh = read_states(batch.where.client, batch.where.targets, [doc_id for doc_id, _ in raced])
    except OpenSearchException as error:
        _fail(batch.outcomes, [tag for _, (tag, _) in raced], f"engine: {error!r}")
        return
    _apply_wave(batch, raced, fresh, final=True, counted=counted)


def _fail(outcomes: dict[str, MessageOutcome], tags: list[str], reason: str) -> None:
    for tag in tags:
        outcomes[tag].fail(reason)


def _apply_wave(
    batch: _Batch,
    wave: list[Item],
    states: States,
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
    plans = _plan_wave(batch, wave, states, sinks, ahead)
    del ahead  # the wave's object bytes go before its write and before the next wave is read
    plans = _with_stories(batch, plans, sinks)
    _with_vectors(batch, plans)
    raced: list[Item] = []
    went_through: set[str] = set()
    if plans:
        rejected, lost = write_plans(batch.where, plans, states, sinks, final)
        if rejected:  # their new versions cannot be indexed: skip records replace their old documents
            write_plans(batch.where, rejected, states, sinks, final=True)
        items = dict(wave)
        raced = [(doc_id, items[doc_id]) for doc_id in lost]
        went_through = {doc_id for doc_id, through in lost.items() if through}
    for doc_id, (tag, _) in wave:
        sink = sinks[doc_id]
        if sink is not batch.outcomes[tag] and sink.status == "retry":
            for reason in sink.errors:
                batch.outcomes[tag].fail(reason)
    return raced, frozenset(went_through | counted)


def _plan_wave(
    batch: _Batch, wave: list[Item], states: States, sinks: dict[str, MessageOutcome], ahead: Fetch | None
) -> list[Plan]:
    """The wave's plans that write; the others recorded now. Objects are read as the plans ask for them."""
    changes: list[ObjectChange] = [change for _, (_, change) in wave]
    if ahead is None:
        fetch_wave = prefetched(batch.fetch, changes)
    else:  # the unordered changes' reads start now, after their states were read
        fetch_wave = prefetched(ahead, [change for change in changes if not change.sequencer])
    plans = []
    for doc_id, (tag, change) in wave:
        known = {name: states.get(name, {}).get(doc_id) for name in batch.where.targets}
        ready = batch.extracted.pop((change.bucket, change.key), None)
        late = batch.extract_until is not None and time.monotonic() > batch.extract_until
        plan = plan_change(
            tag, doc_id, change, known, batch.where.index, fetch_wave, extractor(ready, batch.options), out_of_time=late
        )
        if plan.write is None:
            sinks[doc_id].record(plan)
        else:
            plans.append(plan)
    return plans


def _with_vectors(batch: _Batch, plans: list[Plan]) -> None:
    """Each new document's vector for hybrid search (ingest/embedding.py); a document without one is still written."""
    documents = {p.write.doc_id: p.write.doc for p in plans if p.write and p.write.kind == "indexed" and p.write.doc}
    add_vectors(batch.embedder, documents, batch.extract_until)


def _with_stories(batch: _Batch, plans: list[Plan], sinks: dict[str, MessageOutcome]) -> list[Plan]:
    """Copies of one story share a ``story`` (search groups them): one ``_msearch`` for the wave. If the engine
    fails it, the wave's writes are not made and their messages retried (an empty list)."""
    documents = {p.write.doc_id: p.write.doc for p in plans if p.write and p.write.kind == "indexed" and p.write.doc}
    try:
        assign_stories(batch.where.client, batch.where.index, documents)
    except OpenSearchException as error:
        for plan in plans:
            assert plan.write is not None
            sinks[plan.write.doc_id].record(plan)
            sinks[plan.write.doc_id].fail(f"engine: {error!r}")
        return []
    return plans
