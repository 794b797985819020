"""What the index holds: its versions behind the alias, documents, sources, size (``docsearch stats``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch

from docsearch.aliases import alias_target
from docsearch.engine import engine_errors, is_serverless

TOP_SOURCES = 10


@dataclass
class IndexStats:
    alias: str
    indices: list[str] = field(default_factory=list)
    documents: int = 0
    sources: int = 0
    top_sources: list[dict[str, Any]] = field(default_factory=list)  # {"value": source, "count": n}
    index_bytes: int | None = None  # None where the engine has no index stats (OpenSearch Serverless)


def index_stats(client: OpenSearch, alias: str) -> IndexStats:
    """Counts over the live documents of ``alias`` (tombstones included, as the engine counts them)."""
    stats = IndexStats(alias)
    with engine_errors():
        if not alias_target(client, alias):
            return stats
        stats.indices = sorted(client.indices.get_alias(name=alias))
        aggs = {
            "sources": {"cardinality": {"field": "source"}},
            "top": {"terms": {"field": "source", "size": TOP_SOURCES}},
        }
        answer = client.search(index=alias, body={"size": 0, "track_total_hits": True, "aggs": aggs})
        if not is_serverless(client):  # Serverless has no _stats API: the size stays unknown there
            store = client.indices.stats(index=alias, metric="store")
            stats.index_bytes = int(store["_all"]["primaries"]["store"]["size_in_bytes"])
    stats.documents = int(answer["hits"]["total"]["value"])
    stats.sources = int(answer["aggregations"]["sources"]["value"])
    stats.top_sources = [{"value": b["key"], "count": b["doc_count"]} for b in answer["aggregations"]["top"]["buckets"]]
    return stats
