"""Metadata from the text itself: the header block (site label, section, headline, date,
byline, photo credit), bylines anywhere and the dateline ("JAKARTA, KOMPAS.com -")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from docsearch.ingest.extract.boilerplate import family_of, is_prose, rules, word_count
from docsearch.ingest.extract.dates import find_date, is_timestamp

HEADER_MAX_LINES = 12
LABEL_MAX_WORDS = 3  # "Dunia", "Berita Utama": a section label, not a headline
TITLE_MAX_WORDS = 25
NAME_MAX_WORDS = 5
MAX_URL_CHARS = 2048
AUTHOR_ROLES = ("penulis", "reporter", "laporan", "oleh", "pewarta", "wartawan", "kontributor", "writer", "author")
EDITOR_ROLES = ("editor", "penyunting", "redaktur")
ROLE = "|".join(AUTHOR_ROLES + EDITOR_ROLES)
# No "\s*" before a lookahead or a split at every space of a run (quadratic on long runs): the name is
# stripped by person(), and a split starts only where a run of spaces starts ((?<!\s)).
BYLINE = re.compile(rf"\b({ROLE})\s*:\s*(.+?)(?=\||·|•|$|\b(?:{ROLE})\s*:)", re.IGNORECASE)
MD_META = re.compile(r"^(sumber|source|tanggal|date|kategori|rubrik)\s*:\s*(.+)$", re.IGNORECASE)
SEGMENT_SPLIT = re.compile(r"(?<!\s)(?:\s+[|·•—–-]\s+|\s*\|\s*)")
LABEL_SPLIT = re.compile(r"(?<!\s)(?:\s*[|/»›>·•—–]\s*|\s+-\s+)")
DATELINE = re.compile(
    r"^(?P<city>[A-Z][A-Z.'’]*(?:[ -][A-Z][A-Z.'’]*){0,3})"
    r"(?:\s*\([^)]{1,30}\))?"
    r"(?:\s*,\s*(?P<site>[^\s,–—-][^,–—]{0,38}?))?"
    r"\s*(?:--|[-–—])\s+(?=\S)"
)


@dataclass
class TextMeta:
    """What the text says about itself (None where it says nothing)."""

    title: str | None = None
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    published_at: str | None = None
    dateline: str | None = None
    dropped: set[int] = field(default_factory=set)  # indices of header lines that are not article text

    def fill(self, other: TextMeta) -> None:
        """Take ``other``'s values where this one has none."""
        for name in ("title", "source", "author", "editor", "published_at", "dateline"):
            if getattr(self, name) is None:
                setattr(self, name, getattr(other, name))


def person(name: str) -> str | None:
    """A byline name, tidied: "HANI FATUNNISA" -> "Hani Fatunnisa"; junk -> None."""
    name = re.sub(r"\s+", " ", name).strip(" -–—,.;:|")
    if not name or word_count(name) > NAME_MAX_WORDS or any(ch.isdigit() for ch in name):
        return None
    return name.title() if name.isupper() else name


def read_bylines(line: str, meta: TextMeta) -> bool:
    """Record "Penulis: X | Editor: Y" style names into ``meta``; True if the line had any."""
    found = False
    for role, name in BYLINE.findall(line):
        value = person(name)
        if value is None:
            continue
        found = True
        if role.lower() in EDITOR_ROLES:
            meta.editor = meta.editor or value
        else:
            meta.author = meta.author or value
    return found


def site_name(text: str) -> str | None:
    """A site name such as "sigapwarta.id" or "KOMPAS.com" at the start of ``text``."""
    first = LABEL_SPLIT.split(text.strip(), maxsplit=1)[0].strip()
    return first if _site_address().fullmatch(first) else None


@lru_cache(maxsize=1)
def _site_address() -> re.Pattern[str]:
    suffixes = "|".join(re.escape(s) for s in sorted(rules().site_suffixes, key=len, reverse=True))
    return re.compile(rf"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:{suffixes})", re.IGNORECASE)


HeaderLine = tuple[int, str, str]  # index in the text, the line stripped, its kind


def _kind(line: str, meta: TextMeta) -> str:
    """What a header line is: date, byline, meta, caption, site, or candidate (maybe the headline)."""
    for kind_of in (_meta_kind, _byline_kind, _date_kind, _caption_kind, _site_kind):
        kind = kind_of(line, meta)
        if kind is not None:
            return kind
    return "candidate"


def _meta_kind(line: str, meta: TextMeta) -> str | None:
    """ "Sumber: ...", "Tanggal: ..." (a Markdown front line)."""
    md = MD_META.match(line)
    if not md:
        return None
    label, value = md[1].lower(), md[2]
    if label in ("sumber", "source"):
        meta.source = meta.source or site_name(value) or LABEL_SPLIT.split(value, maxsplit=1)[0].strip() or None
    elif label in ("tanggal", "date") and meta.published_at is None and (found := find_date(value)):
        meta.published_at = found.isoformat()
    return "meta"


def _byline_kind(line: str, meta: TextMeta) -> str | None:
    """ "Penulis: X | Editor: Y", maybe with the date beside the names."""
    if not read_bylines(line, meta):
        return None
    if (found := find_date(BYLINE.sub("", line))) and meta.published_at is None:
        meta.published_at = found.isoformat()
    return "byline"


def _date_kind(line: str, meta: TextMeta) -> str | None:
    """A timestamp line, with at most a short name beside it (the author)."""
    segments = [s for s in SEGMENT_SPLIT.split(line) if s.strip()]
    found = find_date(line)
    if not found or not any(is_timestamp(s) for s in segments):
        return None
    rest = [s for s in segments if not is_timestamp(s)]
    if len(rest) > 1 or sum(map(word_count, rest)) > NAME_MAX_WORDS:
        return None
    if meta.published_at is None:
        meta.published_at = found.isoformat()
    if rest and meta.author is None:
        meta.author = person(rest[0])
    return "date"


def _caption_kind(line: str, meta: TextMeta) -> str | None:
    return "caption" if family_of(line) is not None else None


def _site_kind(line: str, meta: TextMeta) -> str | None:
    """A site label ("KOMPAS.com", "sigapwarta.id - Berita")."""
    site = site_name(line)
    if not site or word_count(line) > LABEL_MAX_WORDS + 3:
        return None
    meta.source = meta.source or site
    return "site"


def read_header(lines: list[str], title: str | None = None) -> TextMeta:
    """Read the block of short lines before the first paragraph of prose.

    The headline is ``title`` if given (Markdown ``#``, JSON, HTML), else the line right
    before the date or byline, else the longest candidate. Other short candidate lines
    (site and section labels) are not article text. If there is no header block the
    headline is the first sentence of the first line.
    """
    meta = TextMeta()
    kinds = _header_lines(lines, meta)
    meta.title = title if title is not None else _headline(kinds)
    if kinds:
        meta.dropped = _not_text(kinds, meta.title, title)
    if meta.title is None:
        first = next((line.strip() for line in lines if line.strip() and family_of(line.strip()) is None), None)
        meta.title = first_sentence(first) if first else None
    return meta


def _header_lines(lines: list[str], meta: TextMeta) -> list[HeaderLine]:
    """The lines before the first prose or dateline (at most HEADER_MAX_LINES), each with its kind."""
    kinds: list[HeaderLine] = []
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if len(kinds) >= HEADER_MAX_LINES or is_prose(line) or DATELINE.match(line):
            break
        kinds.append((index, line, _kind(line, meta)))
    return kinds


def _headline(kinds: list[HeaderLine]) -> str | None:
    """The candidate right before a date or byline, else the longest that is not a sentence."""
    candidates = [line for _, line, kind in kinds if kind == "candidate" and word_count(line) <= TITLE_MAX_WORDS]
    if not candidates:
        return None
    before_meta = [
        prev
        for (_, _, kind), (_, prev, prev_kind) in zip(kinds[1:], kinds, strict=False)
        if kind in ("date", "byline") and prev_kind == "candidate"
    ]
    if before_meta:
        return before_meta[0]
    headlines = [line for line in candidates if not line.endswith(".")] or candidates[:1]
    return max(headlines, key=len)


def _not_text(kinds: list[HeaderLine], headline: str | None, title: str | None) -> set[int]:
    """The header lines to drop: all but the sentences (and, under a known ``title``, the longer lines)."""
    keep = {i for i, line, kind in kinds if kind == "candidate" and line.endswith(".") and line != headline}
    if title is not None:  # a known headline: drop only the header lines that are clearly not text
        keep |= {i for i, line, kind in kinds if kind == "candidate" and word_count(line) > LABEL_MAX_WORDS}
        keep -= {i for i, line, _ in kinds if line == title}
    return {i for i, _, _ in kinds if i not in keep}


def first_sentence(line: str) -> str:
    """A headline out of a first line that runs into the lead: its first sentence if it is long."""
    line = line.strip().lstrip("#").strip()
    if word_count(line) <= TITLE_MAX_WORDS:
        return line
    match = re.match(r"^(.{15,}?[.!?])\s+[A-Z“\"]", line)
    return match[1].rstrip(".") if match else " ".join(line.split()[:TITLE_MAX_WORDS])


def read_dateline(line: str, meta: TextMeta) -> str:
    """Cut "JAKARTA, KOMPAS.com -" off the first paragraph; record the city (and site)."""
    match = DATELINE.match(line)
    if not match:
        return line
    meta.dateline = meta.dateline or match["city"].title()
    site = match["site"]
    if site and meta.source is None:
        meta.source = site_name(site) or site.strip()
    return line[match.end() :]


def web_address(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) address (a link a reader may safely open), else None."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_CHARS or any(ch.isspace() or ch in '<>"\\' for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None
