"""JSON (``.json``): one object with string fields ``title`` and ``body`` (and optional metadata)."""

from __future__ import annotations

import html as html_entities
import json
from typing import Any

from docsearch.ingest.extract.body import clean_text
from docsearch.ingest.extract.dates import parse_iso_date
from docsearch.ingest.extract.decode import decode_bytes
from docsearch.ingest.extract.errors import Unindexable
from docsearch.ingest.extract.metadata import TextMeta
from docsearch.ingest.extract.readers.base import Reading, ReadLimits


class JsonReader:
    name = "json"
    suffixes = ("json",)
    content_types = ("application/json", "text/json")
    upload_type = "application/json"
    imports_on_first_use: tuple[str, ...] = ()

    def detect(self, key: str, head: bytes) -> bool:
        return False  # "{" starts too many things to be a signature

    def unpacked_bound(self, size: int, limits: ReadLimits) -> int:
        return size

    def read(self, data: bytes, key: str, limits: ReadLimits) -> Reading:
        document = _object(decode_bytes(data))
        title, body = document.get("title"), document.get("body")
        if not isinstance(title, str) or not isinstance(body, str) or not title.strip() or not body.strip():
            raise Unindexable("invalid_json", "needs non-empty string fields 'title' and 'body'")
        published = _text_field(document, "published_at")
        meta = TextMeta(
            title=" ".join(html_entities.unescape(title).split()),
            source=_text_field(document, "source"),
            author=_text_field(document, "author"),
            published_at=parse_iso_date(published) if published else None,
        )
        lines = [html_entities.unescape(line) for line in body.splitlines()]
        return Reading(clean_text(lines, meta, title_known=True), self.name, meta, _text_field(document, "url"))


def _object(text: str) -> dict[str, Any]:
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise Unindexable("invalid_json", str(error)) from error
    except ValueError as error:  # valid JSON past a parser limit (an integer of more than 4,300 digits)
        raise Unindexable("parse_limit", str(error)) from error
    if not isinstance(document, dict):
        raise Unindexable("invalid_json", f"a JSON {type(document).__name__}, not an object")
    return document


def _text_field(document: dict[str, Any], name: str) -> str | None:
    value = document.get(name)
    return value.strip() or None if isinstance(value, str) else None


READER = JsonReader()
