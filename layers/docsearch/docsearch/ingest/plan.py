"""The plan: given one change, what each target index holds of its key, and the object (read and extracted
on demand), the write to make (or why none). Pure: it reads through the ``fetch`` and ``extract`` it is
given and asks the engine nothing, so it is unit-tested on its own (tests/unit/test_plan.py).

The outcomes of one change: ``stale`` (a later event wrote the key), ``unchanged`` (identical content: no
write, or only the order mark moves), ``indexed``, ``deleted`` (a tombstone; a plain delete without a
sequencer), ``skipped`` (a skip record, see ``docsearch.document``), or an error (the message is retried).

Errors are named for what failed: a failed read of the object (S3, the network) is transient and the
message is retried; an object extraction cannot make an article of is skipped with the extractor's reason;
an unexpected exception inside extraction (a bug, deterministic for those bytes) is that object's skip
``extraction_error``, with the exception's type in its detail, never retried (docs/decisions/0006).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from docsearch.document import CONTENT_HASH, SEQUENCER, SkipRecord, order_mark, refused, tombstone
from docsearch.ingest.article import Article, IndexedArticle
from docsearch.ingest.events import ObjectChange
from docsearch.ingest.extract import Unindexable
from docsearch.ingest.objects import ObjectMissing, ObjectTooLarge, StoredObject
from docsearch.ingest.state import StoredState, guard, is_older, live, moves, same, sequencer_of

Fetch = Callable[[str, str], StoredObject]  # (bucket, key) -> the object
Extract = Callable[[str, StoredObject], Article]  # (key, object) -> its article; raises Unindexable
Kind = Literal["indexed", "deleted", "unchanged", "skipped"]


@dataclass(frozen=True)
class Skip:
    """An object left out on purpose, and why (``reason`` is a short code: ``empty``, ``too_large``...)."""

    reason: str
    detail: str
    key: str | None = None


@dataclass(frozen=True)
class PlannedWrite:
    """One key's write, built per target index (the alias, and an index a reindex is filling)."""

    tag: str
    kind: Kind
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
        target = {"_index": index, "_id": self.doc_id, **guard(state)}
        if self.doc is None:
            return {"_op_type": "delete", **target}
        if self.kind in ("indexed", "unchanged") and same(state, self.doc.get(CONTENT_HASH)):
            return self._mark(target, state)
        if self.kind in ("deleted", "skipped") and self._already(state):
            return None  # already deleted (or skipped, for the same object) by this or an unordered event
        return {"_op_type": "create" if state is None else "index", **target, "_source": self._source(state)}

    def _mark(self, target: dict[str, Any], state: StoredState | None) -> dict[str, Any] | None:
        """Same content: the order mark moves for a newer event, else no write."""
        if state is not None and moves(self.sequencer, state):
            return {"_op_type": "update", **target, "doc": order_mark(self.sequencer)}
        return None

    def _already(self, state: StoredState | None) -> bool:
        if state is None or self.doc is None:
            return False
        return state.holds(self.doc) and self.sequencer in ("", state.sequencer)

    def _source(self, state: StoredState | None) -> dict[str, Any]:
        assert self.doc is not None
        if not self.sequencer and state is not None and state.sequencer:
            return {**self.doc, SEQUENCER: state.sequencer}  # an unordered write keeps the order mark it found
        return self.doc

    def refused(self, error: str) -> PlannedWrite:
        """The skip record that replaces this document, which the engine refused (same key and order mark)."""
        kind: Kind = "deleted" if self.live_before else "skipped"
        return PlannedWrite(self.tag, kind, self.doc_id, self.sequencer, refused(self.doc or {}, self.sequencer, error))


@dataclass(frozen=True)
class Plan:
    """What to do about one change: a write (or none), and what to count for its message."""

    write: PlannedWrite | None = None
    stale: bool = False
    unchanged: bool = False
    skip: Skip | None = None
    error: str = ""


@dataclass(frozen=True)
class _Case:
    """One change and what the target indices hold of its key (``state``: the alias's, which decides counts)."""

    tag: str
    doc_id: str
    change: ObjectChange
    sequencer: str
    states: dict[str, StoredState | None]
    state: StoredState | None

    def write(self, kind: Kind, doc: dict[str, Any] | None, live_before: bool | None = None) -> Plan:
        before = live(self.state) if live_before is None else live_before
        return Plan(PlannedWrite(self.tag, kind, self.doc_id, self.sequencer, doc, before))

    def skipped(self, reason: str, detail: str, content_hash: str | None = None, size: int | None = None) -> Plan:
        """A skip record, which replaces the key's old document too: that must not outlive its object."""
        record = tombstone(
            self.change.bucket, self.change.key, self.sequencer, SkipRecord(reason, detail, content_hash, size)
        )
        plan = self.write("deleted" if live(self.state) else "skipped", record)
        return Plan(plan.write, skip=Skip(reason, detail, self.change.key))


def plan_change(
    tag: str,
    doc_id: str,
    change: ObjectChange,
    states: dict[str, StoredState | None],
    index: str,
    fetch: Fetch,
    extract: Extract,
    *,
    out_of_time: bool = False,
) -> Plan:
    """Decide what ``change`` needs, given what each target index holds (``states``; ``index``, the alias, decides
    what is counted): a write, or why none. ``out_of_time``: no object may be read and extracted any more."""
    case = _Case(tag, doc_id, change, sequencer_of(change), states, states[index])
    if case.state is not None and is_older(case.sequencer, case.state.sequencer):
        return Plan(stale=True)  # a later event wrote the key: nothing to do in any index
    if change.action == "delete":
        if not case.sequencer:  # nothing to order against: a plain delete (a tombstone would protect nothing)
            return case.write("deleted", None, live_before=False)
        return case.write("deleted", tombstone(change.bucket, change.key, case.sequencer))
    if out_of_time:
        return Plan(error="the batch ran out of time before this object: retried")
    return _plan_upsert(case, fetch, extract)


def _plan_upsert(case: _Case, fetch: Fetch, extract: Extract) -> Plan:
    change = case.change
    try:
        obj = fetch(change.bucket, change.key)
    except ObjectMissing as error:  # deleted before we read it: its delete event carries the ordering
        return Plan(skip=Skip("object_missing", str(error), change.key))
    except ObjectTooLarge as error:
        return case.skipped("too_large", str(error), size=error.size)
    except Exception as error:  # S3 throttling, network: transient, retry the message
        return Plan(error=f"fetch: {error!r}")
    content_hash = hashlib.sha256(obj.body).hexdigest()
    unchanged = _unchanged(case, content_hash)
    if unchanged is not None:
        return unchanged
    try:
        article = extract(change.key, obj)
    except Unindexable as error:
        return case.skipped(error.reason, str(error), content_hash=content_hash)
    except MemoryError:  # not the object's fault alone (the batch holds others): retried, as a read would be
        return Plan(error="extraction: out of memory")
    except Exception as error:  # a bug in extraction, the same for these bytes every time: skipped, not retried
        return case.skipped("extraction_error", f"{type(error).__name__}: {error}", content_hash=content_hash)
    document = IndexedArticle(
        change.bucket, change.key, article, len(obj.body), content_hash, case.sequencer
    ).to_document()
    return case.write("unchanged" if same(case.state, content_hash) else "indexed", document)


def _unchanged(case: _Case, content_hash: str) -> Plan | None:
    """Where every index that is not ahead holds these bytes already, at most the order mark moves (no
    extraction: it is needed only when some index, one a reindex is filling, needs the whole document)."""
    others = [s for s in case.states.values() if s is None or not is_older(case.sequencer, s.sequencer)]
    if not (same(case.state, content_hash) and all(same(s, content_hash) for s in others)):
        return None
    if not any(s is not None and moves(case.sequencer, s) for s in others):
        return Plan(unchanged=True)  # identical content and no newer order mark: no write at all
    return case.write("unchanged", {CONTENT_HASH: content_hash, SEQUENCER: case.sequencer}, live_before=True)
