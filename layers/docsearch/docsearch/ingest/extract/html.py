"""HTML -> the article's main text and its meta tags.

Main text by readability-lxml (a port of Mozilla's Readability: scores blocks by text
and link density, drops nav, aside, footer, scripts, styles and ads); meta tags
(og:title, og:site_name, article:published_time, author, canonical URL) by lxml.
Both are imported on first use so plain-text ingestion never pays for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from docsearch.ingest.extract.dates import parse_iso_date
from docsearch.ingest.extract.errors import Unindexable
from docsearch.ingest.extract.metadata import web_address
from docsearch.text import without_controls

BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "td", "tr", "div", "br")
DROP_TAGS = (
    "figure",
    "figcaption",
    "script",
    "style",
    "noscript",
    "nav",
    "aside",
    "footer",
    "form",
    "button",
    "iframe",
)
# (?<!\s): a run of spaces is tried once, from its start (else every space rescans the run: quadratic).
TITLE_SEPARATORS = re.compile(r"(?<!\s)\s+[|–—:·•»-]\s+")
SITE_SUFFIX_MAX_WORDS = 4
TAG_LIKE = re.compile(r"<\s*(?:/\s*)?[a-zA-Z!]")

# Input bounds checked before libxml2 sees the page (issue 21). libxml2 compares each attribute of a tag
# with every earlier one, so one tag's cost is quadratic in its attributes: 20,000 attributes (210 KB)
# took 0.39 s of CPU here, 100,000 (1 MB) about 10 s, 700,000 (7 MB) minutes. Real pages carry a few
# dozen at most (the sample pages: 2); 256 keeps any real tag and costs libxml2 nothing measurable.
MAX_ATTRIBUTES_PER_TAG = 256
# Only tags this long can hold that many attributes (256 need at least 512 characters); shorter ones are
# not looked into, so an ordinary page's check is one pass of the tag pattern.
_LONG_TAG_CHARS = 2 * MAX_ATTRIBUTES_PER_TAG
_START_TAG = re.compile(rf"<[a-zA-Z][^<>]{{{_LONG_TAG_CHARS},}}")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_RAW_TEXT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
# libxml2 stops at this element depth (its default; lxml's huge_tree lifts it) and drops the rest of the page.
MAX_DEPTH = 256


def check_markup_bounds(text: str) -> None:
    """Raise ``parse_limit`` for a page libxml2 would take quadratic time on (a tag with more than
    MAX_ATTRIBUTES_PER_TAG attributes). Linear in the page: one pass of each pattern, every tag's
    attributes counted once; scripts, styles and comments (where '<' is not a tag) are left out."""
    if "<" not in text or not _START_TAG.search(text):
        return
    for match in _START_TAG.finditer(_RAW_TEXT.sub("", text)):
        attributes = len(_QUOTED.sub('""', match.group()).split()) - 1
        if attributes > MAX_ATTRIBUTES_PER_TAG:
            name = match.group()[1:].split(None, 1)[0][:40]
            raise Unindexable(
                "parse_limit",
                f"a <{name}> tag with about {attributes:,} attributes (at most {MAX_ATTRIBUTES_PER_TAG}):"
                " the HTML parser's time grows with their square",
            )


def _too_deep(parser: Any) -> bool:
    return any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log)


@dataclass(frozen=True)
class HtmlArticle:
    text: str  # the main text, one block per line
    title: str | None
    site_name: str | None
    author: str | None
    published_at: str | None
    url: str | None


def _meta(doc: Any, *names: str) -> str | None:
    for name in names:
        for attribute in ("property", "name", "itemprop"):
            for value in doc.xpath(f"//meta[@{attribute}=$name]/@content", name=name):
                if str(value).strip():
                    return " ".join(str(value).split())
    return None


def strip_site_suffix(title: str, site: str | None) -> str:
    """ "Judul Berita - NamaSitus" -> "Judul Berita" (the site or a short trailing label)."""
    parts = TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    last = parts[-1].strip()
    if (site and last.lower() == site.lower()) or len(last.split()) <= SITE_SUFFIX_MAX_WORDS < len(
        " ".join(parts[:-1]).split()
    ):
        return title[: title.rstrip().rfind(last)].rstrip(" |–—:·•»-")
    return title


def _text_of(fragment: str) -> str:
    import lxml.html

    root = lxml.html.fromstring(fragment)
    for element in list(root.iter(*DROP_TAGS)):
        element.drop_tree()
    for element in root.iter(*BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
        if element.tag != "br":
            element.text = "\n" + (element.text or "")
    return "\n".join(" ".join(line.split()) for line in root.text_content().splitlines())


def strip_markup(text: str) -> str:
    """Plain text of a line that may carry tags (a scraped headline): tags and scripts go, words stay."""
    if not TAG_LIKE.search(text):
        return text
    return " ".join(_text_of(f"<div>{without_controls(text)}</div>").split())


def read_html(text: str) -> HtmlArticle:
    import lxml.html
    from lxml.etree import ParserError
    from readability import Document

    check_markup_bounds(text)
    text = without_controls(text)  # lxml refuses a string with one; a page means nothing by them
    parser = lxml.html.HTMLParser()
    try:
        doc = lxml.html.document_fromstring(text, parser=parser)
        if _too_deep(parser):
            raise Unindexable(
                "parse_limit", f"elements nested more than {MAX_DEPTH} deep: the HTML parser drops what is deeper"
            )
        summary = Document(text).summary(html_partial=True)
    except (ParserError, ValueError) as error:
        raise Unindexable("no_article_text", f"unparseable HTML: {error}") from error
    site = _meta(doc, "og:site_name", "application-name")
    h1 = next((" ".join(h.text_content().split()) for h in doc.iter("h1") if h.text_content().strip()), None)
    page_title = next((" ".join(t.text_content().split()) for t in doc.iter("title")), None)
    title = _meta(doc, "og:title", "twitter:title", "headline") or h1 or page_title
    date = _meta(doc, "article:published_time", "og:published_time", "datePublished", "pubdate", "date", "dc.date")
    if date is None:
        date = next((str(v) for v in doc.xpath("//time/@datetime") if str(v).strip()), None)
    og_url = _meta(doc, "og:url")
    canonical = next((str(v).strip() for v in doc.xpath("//link[@rel='canonical']/@href") if str(v).strip()), None)
    if canonical and og_url and "://" not in canonical:  # a relative canonical link: resolve it on og:url
        canonical = urljoin(og_url, canonical)
    return HtmlArticle(
        text=_text_of(summary),
        title=strip_site_suffix(title, site) if title else None,
        site_name=site,
        author=_meta(doc, "author", "article:author", "dc.creator"),
        published_at=parse_iso_date(date) if date else None,
        url=web_address(canonical) or web_address(og_url),
    )
