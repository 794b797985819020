"""Stored state and S3 order: what a key holds in each target index, and which of two events is later.

S3 delivers events at least once and out of order; each carries a ``sequencer`` (hex, larger is later,
for the same key). A batch reads the stored state of its keys (sequencer, content hash, tombstone flag,
and the engine's ``_seq_no``/``_primary_term``: one ``_mget``) before it decides their writes, and makes
every write conditional on that state (see ``plan.PlannedWrite.op`` and docs/decisions/0001).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from docsearch.document import CONTENT_HASH, DELETED, SEQUENCER, SIZE, SKIP_REASON, STATE_FIELDS
from docsearch.ingest.article import document_id
from docsearch.ingest.events import ObjectChange


def normalize_sequencer(sequencer: str) -> str:
    """Upper-case hex without leading zeros: comparable by (length, text) whatever its width."""
    return sequencer.strip().upper().lstrip("0")


def is_older(sequencer: str, than: str) -> bool:
    """True if ``sequencer`` is known to come before ``than`` (both normalized; "" is unknown)."""
    if not sequencer or not than:
        return False
    return (len(sequencer), sequencer) < (len(than), than)


def sequencer_of(change: ObjectChange) -> str:
    return normalize_sequencer(change.sequencer)


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
            and self.skip_reason == (record.get(SKIP_REASON) or "")
            and self.content_hash == (record.get(CONTENT_HASH) or "")
            and self.size == record.get(SIZE)
        )

    @classmethod
    def from_hit(cls, doc: dict[str, Any]) -> StoredState:
        """The state in one ``_mget`` answer that found its document."""
        source = doc.get("_source") or {}
        deleted = bool(source.get(DELETED))
        return cls(
            str(source.get(SEQUENCER) or ""),
            str(source.get(CONTENT_HASH) or ""),
            deleted,
            doc.get("_seq_no"),
            doc.get("_primary_term"),
            str(source.get(SKIP_REASON) or ""),
            source.get(SIZE) if deleted else None,
        )


States = dict[str, dict[str, StoredState]]  # per target index: document id -> its state


def guard(state: StoredState | None) -> dict[str, int]:
    """The condition that the key is still as read (an engine whose ``_mget`` gave no ``_seq_no``: none)."""
    if state is None or state.seq_no is None or state.primary_term is None:
        return {}
    return {"if_seq_no": state.seq_no, "if_primary_term": state.primary_term}


def same(state: StoredState | None, content_hash: str | None) -> bool:
    """The key holds a live document with these bytes."""
    return state is not None and not state.deleted and bool(content_hash) and state.content_hash == content_hash


def moves(sequencer: str, state: StoredState) -> bool:
    """An event for the stored content that is newer than the stored order mark."""
    return bool(sequencer) and sequencer != state.sequencer


def live(state: StoredState | None) -> bool:
    return state is not None and not state.deleted


class StatesUnreadable(OpenSearchException):
    """The engine could not read a key's state in one of the target indices (the batch is retried)."""


def read_states(client: OpenSearch, targets: Sequence[str], ids: list[str]) -> States:
    """Per target index: sequencer, content hash, tombstone flag and write position of the stored
    documents among ``ids``. One ``_mget`` through the first target (the alias) for all of them."""
    wanted = [(name, doc_id) for name in targets for doc_id in ids]
    response = client.mget(
        index=targets[0],
        body={"docs": [{"_index": name, "_id": doc_id} for name, doc_id in wanted]},
        params={"_source_includes": ",".join(STATE_FIELDS)},
    )
    states: States = {name: {} for name in targets}
    for (name, doc_id), doc in zip(wanted, response.get("docs", []), strict=True):
        if "error" in doc:
            raise StatesUnreadable(f"{name}/{doc_id}: {doc['error']}")
        if doc.get("found"):
            states[name][doc_id] = StoredState.from_hit(doc)
    return states


Tagged = tuple[str, ObjectChange]  # (tag: the message id, or a backfilled key; the change)


def latest_changes(changes: Sequence[Tagged]) -> tuple[dict[str, Tagged], list[str]]:
    """The latest change of each key (by document id), and the tags of the changes it supersedes (stale)."""
    latest: dict[str, Tagged] = {}
    superseded: list[str] = []
    for tag, change in changes:
        doc_id = document_id(change.bucket, change.key)
        previous = latest.get(doc_id)
        if previous is None or not is_older(sequencer_of(change), sequencer_of(previous[1])):
            if previous is not None:
                superseded.append(previous[0])
            latest[doc_id] = (tag, change)
        else:
            superseded.append(tag)
    return latest, superseded
