"""HTML (``.html``): the main text by readability-lxml, title, site, author, date and URL from meta tags."""

from __future__ import annotations

from docsearch.ingest.extract.body import clean_text
from docsearch.ingest.extract.decode import decode_bytes
from docsearch.ingest.extract.errors import Unindexable
from docsearch.ingest.extract.html import read_html
from docsearch.ingest.extract.metadata import TextMeta, person
from docsearch.ingest.extract.readers.base import Reading, ReadLimits

MIN_HTML_WORDS = 15  # less than this after extraction: a page without an article


class HtmlReader:
    name = "html"
    suffixes = ("html", "htm", "xhtml")
    content_types = ("text/html", "application/xhtml+xml")
    upload_type = "text/html; charset=utf-8"
    imports_on_first_use = ("readability", "lxml.html")  # loaded by read_html, so plain text never pays

    def detect(self, key: str, head: bytes) -> bool:
        return False  # an extension-less key is skipped, as it always was, rather than guessed at

    def read(self, data: bytes, key: str, limits: ReadLimits) -> Reading:
        page = read_html(decode_bytes(data))
        author = person(page.author) if page.author and "://" not in page.author else None
        meta = TextMeta(title=page.title, source=page.site_name, published_at=page.published_at, author=author)
        body = clean_text(page.text.splitlines(), meta, title_known=meta.title is not None)
        if len(body.split()) < MIN_HTML_WORDS:
            raise Unindexable("no_article_text", f"{len(body.split())} words of main text in the HTML")
        return Reading(body, self.name, meta, page.url)

    def unpacked_bound(self, size: int, limits: ReadLimits) -> int:
        return size


READER = HtmlReader()
