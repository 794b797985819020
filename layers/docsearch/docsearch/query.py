"""Validated search request -> OpenSearch query body. User text never reaches query_string."""

from __future__ import annotations

from typing import Any

from docsearch.models import SearchRequest

# Private-use characters mark highlights so the document text can be escaped
# before the markers become <mark> tags (see results.py).
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
SNIPPET_CHARS = 160
MAX_SNIPPETS = 3


def build_search(request: SearchRequest) -> dict[str, Any]:
    text = request.q.strip()
    body: dict[str, Any] = {
        "from": (request.page - 1) * request.size,
        "size": request.size,
        "track_total_hits": True,
        "_source": ["key", "title", "source", "published_at"],
        "query": {
            "bool": {
                "must": [
                    {
                        "multi_match": {
                            "query": text,
                            "fields": ["title^3", "body", "title.exact^4", "body.exact^1.5"],
                            "type": "most_fields",
                            "operator": "or",
                            "minimum_should_match": "2<75%",
                        }
                    }
                ],
            }
        },
        "highlight": {
            "pre_tags": [MARK_OPEN],
            "post_tags": [MARK_CLOSE],
            "encoder": "default",
            "fields": {
                "body": {
                    "type": "fvh",
                    "matched_fields": ["body", "body.exact"],
                    "fragment_size": SNIPPET_CHARS,
                    "number_of_fragments": MAX_SNIPPETS,
                    "no_match_size": SNIPPET_CHARS,
                },
            },
        },
        "aggs": {"source": {"terms": {"field": "source", "size": 20}}},
    }
    return body
