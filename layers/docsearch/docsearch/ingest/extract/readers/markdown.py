"""Markdown (``.md``): markup undone line by line; the top heading is the headline."""

from __future__ import annotations

import html as html_entities

from docsearch.ingest.extract.body import clean_text
from docsearch.ingest.extract.decode import decode_bytes
from docsearch.ingest.extract.markdown import markdown_lines
from docsearch.ingest.extract.metadata import TextMeta
from docsearch.ingest.extract.readers.base import Reading, ReadLimits


class MarkdownReader:
    name = "md"
    suffixes = ("md", "markdown")
    content_types = ("text/markdown", "text/x-markdown")
    upload_type = "text/markdown; charset=utf-8"
    imports_on_first_use: tuple[str, ...] = ()

    def detect(self, key: str, head: bytes) -> bool:
        return False  # Markdown is plain text to the eye: only its extension or type says so

    def read(self, data: bytes, key: str, limits: ReadLimits) -> Reading:
        lines, heading = markdown_lines(decode_bytes(data))
        meta = TextMeta(title=html_entities.unescape(heading) if heading else None)
        body = clean_text([html_entities.unescape(line) for line in lines], meta, title_known=heading is not None)
        return Reading(body, self.name, meta)

    def unpacked_bound(self, size: int, limits: ReadLimits) -> int:
        return size


READER = MarkdownReader()
