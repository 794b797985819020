"""Object bytes -> article (headline, clean body, metadata), in the order a reader would follow:

decode (charset, NFC) -> format (txt, md, html, json) -> text lines -> header block
(headline, date, byline, site) -> boilerplate removed -> dateline -> metadata overrides.
"""

from __future__ import annotations

import html as html_entities
import json
from typing import Any

from docsearch.ingest.article import Article
from docsearch.ingest.extract.boilerplate import clean_lines, label_lines
from docsearch.ingest.extract.dates import find_date, parse_iso_date
from docsearch.ingest.extract.decode import decode_bytes
from docsearch.ingest.extract.errors import Unindexable
from docsearch.ingest.extract.formats import Format, detect_format
from docsearch.ingest.extract.html import read_html, strip_markup
from docsearch.ingest.extract.markdown import markdown_lines
from docsearch.ingest.extract.metadata import (
    TextMeta,
    person,
    read_bylines,
    read_dateline,
    read_header,
    web_address,
)
from docsearch.ingest.sources import display_name, source_from_key, source_key
from docsearch.settings import folders_from_env
from docsearch.text import normalize_text

__all__ = ["Unindexable", "clean_text", "decode_bytes", "detect_format", "extract_article"]

METADATA_FIELDS = ("title", "source", "author", "published-at", "url")
MIN_HTML_WORDS = 15  # less than this after extraction: a page without an article
DATE_SEARCH_PARAGRAPHS = 3
# Keyword fields (one term each) are bounded: the engine refuses a term over 32,766 bytes for the whole
# document, and a name this long is junk anyway. The mapping's ignore_above is the second fence.
MAX_NAME_CHARS = 256  # source, author, editor, dateline: truncated


def extract_article(
    data: bytes,
    metadata: dict[str, str] | None = None,
    *,
    key: str = "",
    content_type: str = "",
    source_folders: tuple[str, ...] | None = None,
) -> Article:
    """The article in ``data``; raise Unindexable with a reason when there is none.

    S3 user metadata (``x-amz-meta-title``, ``-source``, ``-author``, ``-published-at``, ``-url``)
    overrides what is extracted; the key's first folder is the source of last resort when it is one of
    ``source_folders`` (default: the ``SOURCE_PREFIXES`` setting). The source is stored in its display
    form (see ``ingest/sources.py``); the URL only if it is an absolute http(s) address.
    Input past the parsers' limits (nesting that exhausts the recursion limit, an integer
    of more than 4,300 digits) is ``parse_limit``: the same bytes can never succeed.
    """
    try:
        return _extract(data, metadata, key, content_type, source_folders)
    except RecursionError as error:
        raise Unindexable("parse_limit", f"nested too deeply to parse: {error}") from error


def _extract(
    data: bytes, metadata: dict[str, str] | None, key: str, content_type: str, source_folders: tuple[str, ...] | None
) -> Article:
    fmt: Format = detect_format(key, content_type) if key or content_type else "txt"
    text = decode_bytes(data)
    meta = TextMeta()
    url: str | None = None
    if fmt == "json":
        body, url = _read_json(text, meta)
    elif fmt == "html":
        page = read_html(text)
        meta.title, meta.source, meta.published_at = page.title, page.site_name, page.published_at
        meta.author = person(page.author) if page.author and "://" not in page.author else None
        url = page.url
        body = clean_text(page.text.splitlines(), meta, title_known=meta.title is not None)
        if len(body.split()) < MIN_HTML_WORDS:
            raise Unindexable("no_article_text", f"{len(body.split())} words of main text in the HTML")
    else:
        lines, heading = markdown_lines(text) if fmt == "md" else (text.splitlines(), None)
        meta.title = html_entities.unescape(heading) if heading else None
        body = clean_text([html_entities.unescape(line) for line in lines], meta, title_known=heading is not None)
    # Entities (&#8203;), JSON escapes (\u200b) and HTML can still carry invisible characters after decoding.
    body = normalize_text(body)
    title = normalize_text(strip_markup(meta.title or "")).strip()
    if not body and not title:
        raise Unindexable("no_article_text", "nothing but boilerplate")
    overrides = {k: normalize_text(v).strip() for k, v in (metadata or {}).items() if k in METADATA_FIELDS and v}
    overrides = {k: v for k, v in overrides.items() if v}
    folders = folders_from_env() if source_folders is None else source_folders
    outlet = source_key(overrides.get("source") or meta.source or source_from_key(key, folders))
    return Article(
        title=strip_markup(overrides.get("title") or title or body.split("\n", 1)[0][:200]),
        body=body or title,
        source=_name(display_name(outlet)) if outlet else None,
        author=_name(overrides.get("author") or meta.author),
        published_at=parse_iso_date(overrides.get("published-at", "")) or meta.published_at,
        editor=_name(meta.editor),
        dateline=_name(meta.dateline),
        url=web_address(overrides.get("url")) or web_address(url),
        format=fmt,
    )


def _name(value: str | None) -> str | None:
    return value[:MAX_NAME_CHARS].rstrip() or None if value else None


def clean_text(lines: list[str], meta: TextMeta, *, title_known: bool = False) -> str:
    """Header block, boilerplate and dateline out; metadata found on the way goes into ``meta``."""
    header = read_header(lines, meta.title if title_known else None)
    meta.fill(header)
    body_lines = [line for i, line in enumerate(lines) if i not in header.dropped]
    first = next((i for i, line in enumerate(body_lines) if line.strip()), None)
    if first is not None and not header.dropped and body_lines[first].strip().lstrip("#").strip() == meta.title:
        body_lines[first] = ""  # the headline was the first line: it is the title, not body text
    labels = label_lines(body_lines)
    for line, label in zip(body_lines, labels, strict=True):
        if label == "byline":
            read_bylines(line, meta)
    kept = clean_lines(body_lines, labels)
    first = next((i for i, line in enumerate(kept) if line), None)
    if first is not None:
        kept[first] = read_dateline(kept[first], meta).strip()
    if meta.published_at is None:
        paragraphs = [line for line in kept if line][:DATE_SEARCH_PARAGRAPHS]
        found = next((d for d in map(find_date, paragraphs) if d), None)
        meta.published_at = found.isoformat() if found else None
    return "\n".join(kept).strip()


def _read_json(text: str, meta: TextMeta) -> tuple[str, str | None]:
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise Unindexable("invalid_json", str(error)) from error
    except ValueError as error:  # valid JSON past a parser limit (an integer of more than 4,300 digits)
        raise Unindexable("parse_limit", str(error)) from error
    if not isinstance(document, dict):
        raise Unindexable("invalid_json", f"a JSON {type(document).__name__}, not an object")
    title, body = document.get("title"), document.get("body")
    if not isinstance(title, str) or not isinstance(body, str) or not title.strip() or not body.strip():
        raise Unindexable("invalid_json", "needs non-empty string fields 'title' and 'body'")

    def text_field(name: str) -> str | None:
        value = document.get(name)
        return value.strip() or None if isinstance(value, str) else None

    meta.title = " ".join(html_entities.unescape(title).split())
    meta.source, meta.author = text_field("source"), text_field("author")
    published = text_field("published_at")
    meta.published_at = parse_iso_date(published) if published else None
    lines = [html_entities.unescape(line) for line in body.splitlines()]
    return clean_text(lines, meta, title_known=True), text_field("url")
