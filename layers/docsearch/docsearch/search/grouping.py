"""Copies of one story (``story``, set at ingest by ``ingest/fingerprint.py``) as one result.

The engine does it: ``collapse`` on ``story`` keeps the best-ranked copy of each story in the hits, so
``from``/``size`` page over stories and every page is right whatever its depth. ``groups`` (what the
page counts pages by) is the number of stories matching: a cardinality, exact below
``GROUP_COUNT_PRECISION``, counted under the same source filter as the hits. The other copies of the
stories on the page come from one more search, filter-only (a ``terms`` on their stories with a
``top_hits`` per story), rather than collapse's ``inner_hits``, which re-runs the whole text query once
per result (measured: searches took about 2.9 times as long). ``group=false`` turns all of it off.
"""

from __future__ import annotations

from typing import Any

from docsearch.document import STORY, TOMBSTONE
from docsearch.search.budget import TITLE_CHARS, bounded_url, optional_plain, plain
from docsearch.search.models import Copy, SearchRequest

STORY_FIELD = STORY
COPIES_LISTED = 5
COPY_FIELDS = ["title", "source", "published_at", "url"]
GROUP_COUNT_PRECISION = 3000  # the most the cardinality agg counts exactly; deeper than any reader pages


def grouping(request: SearchRequest, hits_filter: dict[str, Any]) -> dict[str, Any]:
    """The search body's collapse and group count; nothing when grouping is off."""
    if not request.group or request.story:  # one story asked for: every copy of it
        return {}
    return {
        "collapse": {"field": STORY_FIELD},
        "aggs": {
            "groups": {
                "filter": hits_filter,
                "aggs": {
                    "stories": {"cardinality": {"field": STORY_FIELD, "precision_threshold": GROUP_COUNT_PRECISION}}
                },
            }
        },
    }


def story_of(hit: dict[str, Any]) -> str | None:
    """The story a grouped hit stands for (collapse returns it in ``fields``)."""
    story = hit.get("fields", {}).get(STORY_FIELD, [None])[0] or hit.get("_source", {}).get(STORY_FIELD)
    return str(story) if story else None


def story_filter(request: SearchRequest) -> list[dict[str, Any]]:
    """``story=…``: only that story's copies (a reader opening a group)."""
    return [{"term": {STORY_FIELD: request.story}}] if request.story else []


def group_count(response: dict[str, Any], total: int) -> int:
    """Stories matching, from the aggregation; the documents' count when not grouped."""
    groups = response.get("aggregations", {}).get("groups")
    return min(int(groups["stories"]["value"]), total) if groups else total


def copies_query(response: dict[str, Any]) -> dict[str, Any] | None:
    """One filter-only search for the other copies of the stories on this page (None if there are none)."""
    stories = sorted(
        {hit["fields"][STORY_FIELD][0] for hit in response.get("hits", {}).get("hits", []) if "fields" in hit}
    )
    if not stories:
        return None
    return {
        "size": 0,
        "query": {"bool": {"filter": [{"terms": {STORY_FIELD: stories}}], "must_not": [TOMBSTONE]}},
        "aggs": {
            "stories": {
                "terms": {"field": STORY_FIELD, "size": len(stories), "min_doc_count": 2},
                "aggs": {
                    "copies": {
                        "top_hits": {
                            "size": COPIES_LISTED + 1,  # the result itself is among them
                            "_source": COPY_FIELDS,
                            "sort": [{"published_at": {"order": "asc", "missing": "_last"}}, {"key": "asc"}],
                        }
                    }
                },
            }
        },
    }


def copies_by_story(copies: dict[str, Any]) -> dict[str, tuple[int, list[dict[str, Any]]]]:
    """Story -> (how many documents it has, the first of them) from the answer to ``copies_query``."""
    buckets = copies.get("aggregations", {}).get("stories", {}).get("buckets", [])
    return {b["key"]: (int(b["doc_count"]), b["copies"]["hits"]["hits"]) for b in buckets}


def copies_of(
    hit: dict[str, Any], stories: dict[str, tuple[int, list[dict[str, Any]]]], view: str
) -> tuple[int, list[Copy]]:
    """How many other copies the hit's story has, and the first ``COPIES_LISTED`` of them."""
    story = hit.get("fields", {}).get(STORY_FIELD, [None])[0]
    count, found = stories.get(story, (1, [])) if story else (1, [])
    others = [copy for copy in found if copy["_id"] != hit["_id"]]
    listed = [
        Copy(
            id=copy["_id"],
            title=plain(copy.get("_source", {}).get("title"), TITLE_CHARS),
            source=optional_plain(copy.get("_source", {}).get("source")),
            published_at=copy.get("_source", {}).get("published_at"),
            url=bounded_url(copy.get("_source", {}).get("url")),
            view=view.replace("{id}", copy["_id"]),
        )
        for copy in others[:COPIES_LISTED]
    ]
    return max(0, count - 1), listed
