"""What became of one uploaded object, as the index records it: indexed, deleted or skipped (and why).

Skip records are tombstones with a ``skip_reason`` (see ``batch``); they live in the index, so the same
read answers on AWS and locally. Whether a key not in the index is still queued or dead-lettered is the
queues' business (the CLI asks them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from opensearchpy import OpenSearch

from docsearch.document import CONTENT_HASH, DELETED, INDEXED_AT, KEY, SIZE, SKIP_DETAIL, SKIP_REASON
from docsearch.ingest.article import document_id

State = Literal["indexed", "deleted", "skipped", "unknown"]
FIELDS = [KEY, "title", DELETED, SKIP_REASON, SKIP_DETAIL, INDEXED_AT, CONTENT_HASH, SIZE]


@dataclass(frozen=True)
class KeyStatus:
    key: str
    id: str
    state: State
    when: str | None = None
    reason: str | None = None
    detail: str | None = None
    title: str | None = None
    content_hash: str | None = None
    size: int | None = None

    def describes(self, content_hash: str, size: int) -> bool:
        """True if this record is about exactly that object (same bytes; for a too-large skip, same size)."""
        if self.content_hash is not None:
            return self.content_hash == content_hash
        return self.reason == "too_large" and self.size == size


def key_statuses(client: OpenSearch, index: str, bucket: str, keys: list[str]) -> dict[str, KeyStatus]:
    """The recorded status of each key (one ``_mget``), as a search sees it.

    ``realtime: false`` reads from the engine's last refresh, what searches read, not from its translog: a
    document written but not yet searchable (up to the refresh interval, 1 s) still shows its previous
    state, so "indexed" is said only once a search can find it.
    """
    ids = {document_id(bucket, key): key for key in keys}
    if not ids:
        return {}
    params = {"_source_includes": ",".join(FIELDS), "realtime": "false"}
    response = client.mget(index=index, body={"ids": list(ids)}, params=params)
    statuses = {key: KeyStatus(key, doc_id, "unknown") for doc_id, key in ids.items()}
    for doc in response.get("docs", []):
        if not doc.get("found"):
            continue
        key = ids[doc["_id"]]
        source = doc.get("_source") or {}
        state: State = "indexed"
        if source.get(DELETED):
            state = "skipped" if source.get(SKIP_REASON) else "deleted"
        statuses[key] = KeyStatus(
            key=key,
            id=doc["_id"],
            state=state,
            when=source.get(INDEXED_AT),
            reason=source.get(SKIP_REASON),
            detail=source.get(SKIP_DETAIL),
            title=source.get("title"),
            content_hash=source.get(CONTENT_HASH),
            size=source.get(SIZE),
        )
    return statuses
