"""Looking up one stored document by id (GET /documents/{id})."""

from __future__ import annotations

import re

from docsearch.document import ARTICLE_FIELDS, DELETED, INDEXED_AT, KEY
from docsearch.errors import DocumentNotFound
from docsearch.search.budget import BODY_CHARS, KEY_CHARS, TITLE_CHARS, bounded_url, fit_document, optional_plain, plain
from docsearch.search.client import SearchClient
from docsearch.search.models import Document
from docsearch.settings import DEFAULT_DOCUMENT_VIEW_URL

# Ids are ours (see article.document_id); anything else cannot exist, so it is not sent to the engine.
_DOCUMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
# What the document view reads: the article's own fields but those it does not show, and its state.
_NOT_SHOWN = {"editor", "dateline", "format"}
DOCUMENT_FIELDS = [KEY, INDEXED_AT, DELETED, *(name for name in ARTICLE_FIELDS if name not in _NOT_SHOWN)]


def get_document(client: SearchClient, index: str, doc_id: str, view_url: str = DEFAULT_DOCUMENT_VIEW_URL) -> Document:
    """The live document ``doc_id``; ``view_url``: where its view link points (Settings.document_view_url)."""
    if not _DOCUMENT_ID.fullmatch(doc_id):
        raise DocumentNotFound(doc_id)
    found = client.get(index, doc_id, DOCUMENT_FIELDS)  # None: unknown id, or no index yet
    source = (found or {}).get("_source") or {}
    if found is None or source.get("deleted"):
        raise DocumentNotFound(doc_id)
    body = source.get("body") or ""
    document = Document(
        id=found["_id"],
        key=(source.get("key") or "")[:KEY_CHARS],
        title=plain(source.get("title"), TITLE_CHARS),
        source=optional_plain(source.get("source")),
        published_at=source.get("published_at"),
        author=optional_plain(source.get("author")),
        body=body[:BODY_CHARS],
        body_truncated=len(body) > BODY_CHARS,
        indexed_at=source.get("indexed_at"),
        url=bounded_url(source.get("url")),
        view=view_url.replace("{id}", found["_id"]),
    )
    return fit_document(document)
