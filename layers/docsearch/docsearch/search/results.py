"""Engine response -> the API's search response, with escaped ``<mark>`` snippets."""

from __future__ import annotations

import html
from typing import Any

from docsearch.outlets import display_name
from docsearch.search.budget import (
    KEY_CHARS,
    NAME_CHARS,
    SNIPPET_CHARS,
    TITLE_CHARS,
    bounded_url,
    fit,
    optional_plain,
    plain,
)
from docsearch.search.grouping import copies_of, group_count, story_of
from docsearch.search.models import FacetValue, Mode, SearchHit, SearchRequest, SearchResponse
from docsearch.search.query import ANSWERS_AGG, MARK_CLOSE, MARK_OPEN, MAX_SNIPPETS
from docsearch.search.suggest import read_suggestion
from docsearch.settings import DEFAULT_DOCUMENT_VIEW_URL
from docsearch.text import cut, strip_tags


def safe_snippet(fragment: str, limit: int = SNIPPET_CHARS) -> str:
    """Escape everything from the document, then turn highlight markers into <mark> (always balanced).

    The fragment is cut to ``limit`` characters first; markers left unpaired (by the cut, or because the
    document itself held the private-use characters the markers are made of) are dropped or closed.
    """
    escaped = html.escape(_balanced(cut(fragment.strip(), limit)), quote=True)
    return escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def _balanced(fragment: str) -> str:
    """Every MARK_OPEN closed by the next MARK_CLOSE: a close with no open is dropped, an open with no
    close is closed at the end, an open inside an open is dropped."""
    if MARK_OPEN not in fragment and MARK_CLOSE not in fragment:
        return fragment
    out: list[str] = []
    inside = False
    for char in fragment:
        if char == MARK_OPEN:
            if not inside:
                out.append(char)
            inside = True
        elif char == MARK_CLOSE:
            if inside:
                out.append(char)
            inside = False
        else:
            out.append(char)
    return "".join(out) + (MARK_CLOSE if inside else "")


def safe_title(title: str, fragments: list[str]) -> str:
    """The highlighted title if the engine marked it, else the plain title; tags out, escaped either way."""
    if fragments:
        return safe_snippet(strip_tags(fragments[0]), TITLE_CHARS)
    return html.escape(plain(title, TITLE_CHARS), quote=True)


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
    shaped = SearchResponse(
        query=request.q.strip(),
        total=total,
        groups=min(group_count(response, total), total),
        page=request.page,
        size=request.size,
        took_ms=int(response.get("took", 0)),
        partial=bool(response.get("timed_out", False)),
        results=results,
        facets={
            "source": [
                FacetValue(value=plain(display_name(b["key"]), NAME_CHARS), count=b["doc_count"]) for b in buckets
            ]
        },
        relaxed=relaxed or loose,
        suggestion=read_suggestion(request, response),
        mode=mode,
    )
    return fit(shaped)


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
        key=(source.get("key") or "")[:KEY_CHARS],
        title=plain(title, TITLE_CHARS),
        source=optional_plain(source.get("source"), NAME_CHARS),
        published_at=source.get("published_at"),
        score=hit.get("_score"),
        snippets=[safe_snippet(fragment) for fragment in fragments[:MAX_SNIPPETS]],
        title_html=safe_title(title, highlight.get("title", [])),
        url=bounded_url(source.get("url")),
        view=view.replace("{id}", hit["_id"]),
        story=story_of(hit),
        more_copies=more_copies,
        copies=copies,
    )
