"""Plain text (``.txt``): the charset found by trial, lines as they are, entities undone."""

from __future__ import annotations

import html as html_entities

from docsearch.ingest.extract.body import clean_text
from docsearch.ingest.extract.decode import decode_bytes
from docsearch.ingest.extract.metadata import TextMeta
from docsearch.ingest.extract.readers.base import Reading, ReadLimits


class TextReader:
    name = "txt"
    suffixes = ("txt", "text")
    content_types = ("text/plain",)
    upload_type = "text/plain; charset=utf-8"
    imports_on_first_use: tuple[str, ...] = ()

    def detect(self, key: str, head: bytes) -> bool:
        return False  # text has no signature: only its extension or type says so

    def read(self, data: bytes, key: str, limits: ReadLimits) -> Reading:
        meta = TextMeta()
        lines = [html_entities.unescape(line) for line in decode_bytes(data).splitlines()]
        return Reading(clean_text(lines, meta), self.name, meta)

    def unpacked_bound(self, size: int, limits: ReadLimits) -> int:
        return size


READER = TextReader()
