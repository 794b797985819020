"""Engine response -> the API's search response, with escaped ``<mark>`` snippets."""

from __future__ import annotations

import html
from typing import Any

from docsearch.outlets import display_name
from docsearch.search.grouping import copies_of, group_count, story_of
from docsearch.search.models import FacetValue, Mode, SearchHit, SearchRequest, SearchResponse
from docsearch.search.query import ANSWERS_AGG, MARK_CLOSE, MARK_OPEN
from docsearch.search.suggest import read_suggestion
from docsearch.settings import DEFAULT_DOCUMENT_VIEW_URL


def safe_snippet(fragment: str) -> str:
    """Escape everything from the document, then turn highlight markers into <mark>."""
    escaped = html.escape(fragment.strip(), quote=True)
    return escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def safe_title(title: str, fragments: list[str]) -> str:
    """The highlighted title if the engine marked it, else the plain title; escaped either way."""
    return safe_snippet(fragments[0]) if fragments else html.escape(title.strip(), quote=True)


def shape_response(
    request: SearchRequest,
    response: dict[str, Any],
    stories: dict[str, tuple[int, list[dict[str, Any]]]] | None = None,
    view_url: str = DEFAULT_DOCUMENT_VIEW_URL,
    *,
    relaxed: bool = False,
    mode: Mode = "lexical",
) -> SearchResponse:
    """``stories``: the copies of the page's stories, when grouped (see grouping.copies_by_story); ``view_url``:
    where a result's ``view`` link points, {id} the document id (Settings.document_view_url); ``relaxed``:
    ``response`` answers the relaxed query (run.py); ``mode``: the one that ranked the results."""
    hits = response.get("hits", {})
    results = [_shape_hit(hit, stories or {}, view_url) for hit in hits.get("hits", [])]
    buckets = response.get("aggregations", {}).get("source", {}).get("buckets", [])
    total, loose = _total(response)
    return SearchResponse(
        query=request.q.strip(),
        total=total,
        groups=min(group_count(response, total), total),
        page=request.page,
        size=request.size,
        took_ms=int(response.get("took", 0)),
        partial=bool(response.get("timed_out", False)),
        results=results,
        facets={"source": [FacetValue(value=display_name(b["key"]), count=b["doc_count"]) for b in buckets]},
        relaxed=relaxed or loose,
        suggestion=read_suggestion(request, response),
        mode=mode,
    )


def _total(response: dict[str, Any]) -> tuple[int, bool]:
    """The total the reader is told, and whether the results only match loosely.

    A question's total counts its answers: the articles holding half of its content words (query.py). When
    none does, the results (ranked all the same) hold fewer: the total is theirs and they are said to be loose.
    """
    matched = int(response.get("hits", {}).get("total", {}).get("value", 0))
    answers = response.get("aggregations", {}).get(ANSWERS_AGG)
    if answers is None:
        return matched, False
    counted = int(answers.get("doc_count", 0))
    return (counted, False) if counted or not matched else (matched, True)


def _shape_hit(hit: dict[str, Any], stories: dict[str, tuple[int, list[dict[str, Any]]]], view: str) -> SearchHit:
    source = hit.get("_source", {})
    highlight = hit.get("highlight", {})
    fragments = highlight.get("body", [])
    title = source.get("title") or ""
    more_copies, copies = copies_of(hit, stories, view)
    return SearchHit(
        id=hit["_id"],
        key=source.get("key", ""),
        title=title,
        source=source.get("source"),
        published_at=source.get("published_at"),
        score=hit.get("_score"),
        snippets=[safe_snippet(fragment) for fragment in fragments],
        title_html=safe_title(title, highlight.get("title", [])),
        url=source.get("url"),
        view=view.replace("{id}", hit["_id"]),
        story=story_of(hit),
        more_copies=more_copies,
        copies=copies,
    )
