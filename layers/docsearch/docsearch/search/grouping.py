"""Copies of one story (``story``, set at ingest by ``ingest/fingerprint.py``) as one result.

The engine does it: ``collapse`` on ``story`` keeps the best-ranked copy of each story in the hits, so
``from``/``size`` page over stories and every page is right whatever its depth; ``inner_hits`` lists
the other copies of each result shown. ``groups`` (what the page counts pages by) is the number of
stories matching: a cardinality, exact below ``GROUP_COUNT_PRECISION``, counted under the same source
filter as the hits. ``group=false`` turns all of it off: every copy is its own result.
"""

from __future__ import annotations

from typing import Any

from docsearch.search.models import Copy, SearchRequest

STORY_FIELD = "story"
COPIES_LISTED = 5
COPY_FIELDS = ["source", "published_at", "url"]
GROUP_COUNT_PRECISION = 3000  # the most the cardinality agg counts exactly; deeper than any reader pages


def grouping(request: SearchRequest, hits_filter: dict[str, Any]) -> dict[str, Any]:
    """The search body's collapse and group count; nothing when grouping is off."""
    if not request.group:
        return {}
    return {
        "collapse": {
            "field": STORY_FIELD,
            "inner_hits": {
                "name": "copies",
                "size": COPIES_LISTED + 1,  # the result itself is among them
                "_source": COPY_FIELDS,
                "sort": [{"published_at": {"order": "asc", "missing": "_last"}}, {"key": "asc"}],
            },
        },
        "aggs": {
            "groups": {
                "filter": hits_filter,
                "aggs": {
                    "stories": {"cardinality": {"field": STORY_FIELD, "precision_threshold": GROUP_COUNT_PRECISION}}
                },
            }
        },
    }


def group_count(response: dict[str, Any], total: int) -> int:
    """Stories matching, from the aggregation; the documents' count when not grouped."""
    groups = response.get("aggregations", {}).get("groups")
    return min(int(groups["stories"]["value"]), total) if groups else total


def copies_of(hit: dict[str, Any], view: str) -> tuple[int, list[Copy]]:
    """How many other copies of the hit's story matched, and the first ``COPIES_LISTED`` of them."""
    inner = hit.get("inner_hits", {}).get("copies", {}).get("hits", {})
    others = [copy for copy in inner.get("hits", []) if copy["_id"] != hit["_id"]]
    count = max(0, int(inner.get("total", {}).get("value", 0)) - 1)
    listed = [
        Copy(
            id=copy["_id"],
            source=copy.get("_source", {}).get("source"),
            published_at=copy.get("_source", {}).get("published_at"),
            url=copy.get("_source", {}).get("url"),
            view=view.replace("{id}", copy["_id"]),
        )
        for copy in others[:COPIES_LISTED]
    ]
    return count, listed
