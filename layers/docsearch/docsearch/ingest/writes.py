"""The planned writes of a wave -> one ``_bulk`` in every target index -> each key's outcome.

Every write is conditional on the state read before it (see ``plan.PlannedWrite.op``). A key the engine
refused because something wrote it since (409, or 404 ``document_missing`` for an update) *lost a race*: it is
handed back to be re-read and re-planned once. An engine refusal of one document (HTTP 400: a mapping it
cannot take; 413: bigger than a request may be) is that document's skip (``engine_rejected``), never the
batch's retry: a skip record replaces its old document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from opensearchpy import OpenSearch

from docsearch.ingest.bulk import CONFLICT, TOO_LARGE, ItemResult, write_bulk
from docsearch.ingest.outcome import MessageOutcome
from docsearch.ingest.plan import Plan, PlannedWrite, Skip
from docsearch.ingest.state import States

REJECTED = 400  # the engine cannot take this document (mapping): permanent, for this document only


@dataclass(frozen=True)
class Destination:
    """Where a batch writes: the alias first, then the indices a reindex is filling."""

    client: OpenSearch
    index: str  # the alias: its answer decides what is counted
    targets: Sequence[str]
    require_alias: bool  # events write through the alias only (never auto-create an index without our mapping)
    deadline: float | None  # bounds the engine retries: see bulk.write_bulk


def write_plans(
    where: Destination, plans: list[Plan], states: States, sinks: dict[str, MessageOutcome], final: bool
) -> tuple[list[Plan], dict[str, bool]]:
    """One ``_bulk`` for ``plans`` in every target index; record outcomes in ``sinks`` (by document id).

    ``states`` holds, per target index, the states read before the objects. Returns the skip records
    that replace keys the engine refused, and (unless ``final``) the keys that lost a race, each with
    whether its write to the alias went through.
    """
    ops, owners = _ops(where, plans, states)
    results: list[list[tuple[bool, ItemResult]]] = [[] for _ in plans]
    for (n, is_alias), result in zip(owners, write_bulk(where.client, ops, where.deadline), strict=True):
        results[n].append((is_alias, result))
    rejected: list[Plan] = []
    lost: dict[str, bool] = {}
    for plan, mine in zip(plans, results, strict=True):
        write = _write_of(plan)
        settled = _settle(plan, mine, sinks[write.doc_id], final)
        if isinstance(settled, PlannedWrite):
            rejected.append(Plan(settled))
        elif settled is not None:
            lost[write.doc_id] = settled
    return rejected, lost


def _write_of(plan: Plan) -> PlannedWrite:
    assert plan.write is not None
    return plan.write


def _ops(where: Destination, plans: list[Plan], states: States) -> tuple[list[dict[str, Any]], list[tuple[int, bool]]]:
    """The bulk actions, and per action: (its plan's position, whether it is the alias's)."""
    ops: list[dict[str, Any]] = []
    owners: list[tuple[int, bool]] = []
    for name in where.targets:
        is_alias = name == where.index
        for n, plan in enumerate(plans):
            write = _write_of(plan)
            op = write.op(name, states.get(name, {}).get(write.doc_id))
            if op is None:
                continue
            ops.append({**op, "require_alias": True} if where.require_alias and is_alias else op)
            owners.append((n, is_alias))
    return ops, owners


def _settle(
    plan: Plan, mine: list[tuple[bool, ItemResult]], outcome: MessageOutcome, final: bool
) -> PlannedWrite | bool | None:
    """Record what the engine answered for one key. Returns its skip record if the engine refused the document,
    whether its alias write went through if it lost a race (to re-plan), else None (settled)."""
    write = _write_of(plan)
    main = next((r for is_main, r in mine if is_main), None)
    if main is not None and write.kind == "indexed" and refused(main):
        outcome.record(plan)
        outcome.skips.append(Skip("engine_rejected", main.error, (write.doc or {}).get("key")))
        return write.refused(main.error)
    failed = [r for _, r in mine if not r.ok]
    if failed and not final and all(lost_race(r) for r in failed):
        return _lost(plan, main, outcome)
    outcome.record(plan)
    if failed:  # retried whole (writes are idempotent); a lost race re-reads state and object
        reason = failed[0].error
        outcome.fail(f"changed since read, retry: {reason}" if lost_race(failed[0]) else reason)
    else:
        outcome.count(write.kind)
    return None


def _lost(plan: Plan, main: ItemResult | None, outcome: MessageOutcome) -> bool:
    """A key that lost a race, to re-plan: whether its write to the alias went through (then counted now; the
    re-plan only writes what the other index still needs)."""
    through = main is not None and main.ok
    if through:
        outcome.record(plan)
        outcome.count(_write_of(plan).kind)
    return through


def refused(result: ItemResult) -> bool:
    """The engine cannot take this document (its mapping, or its size for one request): not a refusal of the
    request's condition."""
    if result.status == TOO_LARGE:
        return True
    return result.status == REJECTED and "action_request_validation_exception" not in result.error


def lost_race(result: ItemResult) -> bool:
    """A conditional write refused because the key was written (409) or removed (404) since it was read."""
    return result.status == CONFLICT or (result.status == 404 and "document_missing" in result.error)
