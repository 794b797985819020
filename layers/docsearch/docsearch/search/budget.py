"""Bounds on what the search API returns, whatever was indexed (issue 21: an 8 MB title made a search
answer 16 MB, above Lambda's 6 MB response limit, so every search matching it failed on AWS).

Every field of an answer is capped when it is shaped (results.py, documents.py), so a page is bounded by
construction; ``fit`` is the fence behind that: it measures the serialised answer and trims the page
(results from the end, the document's body) rather than ever exceed ``RESPONSE_BUDGET_BYTES``.
"""

from __future__ import annotations

from docsearch.search.models import Document, SearchResponse
from docsearch.text import cut, strip_tags

# Lambda refuses a response over 6 MB (6,291,456 bytes, headers included): a third of it leaves room for
# API Gateway's envelope and for any escaping a later layer adds. The largest honest answer measured is far
# below: a page of 50 results with three snippets each is about 60 KB; a 10 MB text article's document,
# about 10 MB (so a body is cut at BODY_CHARS below).
RESPONSE_BUDGET_BYTES = 2 * 1024 * 1024
# Plain-text field caps, in characters. The first lines (headline or title) of the sample and seed articles
# are at most 254 characters; 1,000 keeps every real headline whole. Sources and authors are cut at 256
# at ingest (ingest/extract MAX_NAME_CHARS); a URL over 2,048 is dropped there; an S3 key is at most 1,024
# bytes. Older indexes and writers that bypass ingest are bounded here all the same.
TITLE_CHARS = 1000
NAME_CHARS = 256
URL_CHARS = 2048
KEY_CHARS = 1024
# A snippet is a highlighter fragment of about 160 characters (query.SNIPPET_CHARS); the engine can stretch
# one to a word or sentence boundary, never by more than a few words on real text: 600 cuts only a
# fragment of one unbroken run (a megabyte "word" with no space in it).
SNIPPET_CHARS = 600
# A document's body: 500,000 characters is 0.5-2 MB of UTF-8 (1-4 bytes a character), more with JSON's
# escapes only for a pathological body, which ``fit_document`` then cuts further. The longest of the sample
# and seed articles is 10,386 characters. Beyond it the body is cut and ``body_truncated`` says so.
BODY_CHARS = 500_000


def plain(value: str | None, limit: int) -> str:
    """A plain-text field as the API returns it: no tags (another client may render it as HTML), capped."""
    return cut(strip_tags(value.strip()), limit) if value else ""


def optional_plain(value: str | None, limit: int = NAME_CHARS) -> str | None:
    return plain(value, limit) or None


def bounded_url(value: str | None) -> str | None:
    """A URL too long to be whole is left out (a cut one would point elsewhere), as ingest does."""
    return value if value and len(value) <= URL_CHARS else None


def size_of(model: SearchResponse | Document) -> int:
    return len(model.model_dump_json().encode())


def fit(response: SearchResponse) -> SearchResponse:
    """The page as it is if it fits the budget, else with results dropped from the end until it does
    (``partial``: true, as for an engine time-out)."""
    if size_of(response) <= RESPONSE_BUDGET_BYTES:
        return response
    results = list(response.results)
    while results:
        results.pop()
        trimmed = response.model_copy(update={"results": results, "partial": True})
        if size_of(trimmed) <= RESPONSE_BUDGET_BYTES:
            return trimmed
    return response.model_copy(update={"results": [], "partial": True, "facets": {}})


def fit_document(document: Document) -> Document:
    """The document as it is if it fits the budget, else with its body cut until it does."""
    size = size_of(document)
    while size > RESPONSE_BUDGET_BYTES and document.body:
        keep = max(0, len(document.body) * RESPONSE_BUDGET_BYTES // size - 1024)
        document = document.model_copy(update={"body": document.body[:keep], "body_truncated": True})
        size = size_of(document)
    return document
