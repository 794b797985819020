"""Object bytes -> article (headline, clean body, metadata), in the order a reader would follow:

format reader (``readers/``: decode, text lines, metadata of its own) -> header block (headline, date,
byline, site) -> boilerplate removed -> dateline (``body.py``) -> S3 metadata overrides (here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docsearch.ingest.article import Article
from docsearch.ingest.extract.body import clean_text
from docsearch.ingest.extract.dates import parse_iso_date
from docsearch.ingest.extract.decode import decode_bytes
from docsearch.ingest.extract.errors import ReaderFailed, Unindexable
from docsearch.ingest.extract.html import strip_markup
from docsearch.ingest.extract.metadata import web_address
from docsearch.ingest.extract.readers import HEAD_BYTES, Reading, ReadLimits, reader_for
from docsearch.outlets import display_name, source_from_key, source_key
from docsearch.settings import Settings
from docsearch.text import cut, normalize_text, without_controls

__all__ = [
    "ReadOptions",
    "ReaderFailed",
    "Unindexable",
    "clean_text",
    "decode_bytes",
    "detect_format",
    "extract_article",
    "read_article",
]

METADATA_FIELDS = ("title", "source", "author", "published-at", "url")
# Keyword fields (one term each) are bounded: the engine refuses a term over 32,766 bytes for the whole
# document, and a name this long is junk anyway. The mapping's ignore_above is the second fence.
MAX_NAME_CHARS = 256  # source, author, editor, dateline: truncated
TITLE_FROM_BODY_CHARS = 200  # no headline anywhere: the body's first line, cut here
# A headline is stored at most this long (the search API returns at most as much: search/budget.py
# TITLE_CHARS). The first lines of the sample and seed articles are at most 254 characters; issue 21 indexed
# an 8 MB JSON title, a 4.5 MB Markdown heading and a 9 MB first line whole.
MAX_TITLE_CHARS = 1000


@dataclass(frozen=True)
class ReadOptions:
    """What extraction needs from the settings (the handler, CLI, eval and bench build it)."""

    source_folders: tuple[str, ...] = ()  # key folders that name an outlet (SOURCE_PREFIXES)
    limits: ReadLimits = field(default_factory=ReadLimits)

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadOptions:
        return cls(settings.source_folders, ReadLimits(max_bytes=settings.max_object_bytes))


def read_article(
    data: bytes,
    metadata: dict[str, str] | None = None,
    *,
    key: str = "",
    content_type: str = "",
    options: ReadOptions | None = None,
) -> Article:
    """The article in ``data``; raise Unindexable with a reason when there is none.

    The reader is chosen by ``key``'s extension, else ``content_type``, else the first bytes
    (``readers/``). S3 user metadata (``x-amz-meta-title``, ``-source``, ``-author``,
    ``-published-at``, ``-url``) overrides what is extracted; the key's first folder is the source of
    last resort when it is one of ``options.source_folders``. The source is stored in its display
    form (see ``outlets.py``); the URL only if it is an absolute http(s) address.
    Input past the parsers' limits (nesting that exhausts the recursion limit, an integer
    of more than 4,300 digits) is ``parse_limit``: the same bytes can never succeed.
    """
    options = options or ReadOptions()
    try:
        return _article(_read(data, key, content_type, options), _overrides(metadata), key, options.source_folders)
    except RecursionError as error:
        raise Unindexable("parse_limit", f"nested too deeply to parse: {error}") from error


def _read(data: bytes, key: str, content_type: str, options: ReadOptions) -> Reading:
    """The chosen reader's reading; what it raises unforeseen is ReaderFailed, a skip with the reader's name."""
    reader = reader_for(key, content_type, data[:HEAD_BYTES])
    try:
        return reader.read(data, key, options.limits)
    except (Unindexable, RecursionError, MemoryError):
        raise  # a skip it chose, a parser limit (parse_limit above), or the process out of memory
    except Exception as error:
        raise ReaderFailed(reader.name, error) from error


def extract_article(
    data: bytes,
    metadata: dict[str, str] | None = None,
    *,
    key: str = "",
    content_type: str = "",
    source_folders: tuple[str, ...] = (),
    options: ReadOptions | None = None,
) -> Article:
    """``read_article`` for callers that pass the outlet folders alone (tests, eval, bench)."""
    options = options or ReadOptions(source_folders=source_folders)
    return read_article(data, metadata, key=key, content_type=content_type, options=options)


def detect_format(key: str, content_type: str = "") -> str:
    """The format an object of this key and content type is read as (raise Unindexable if none)."""
    return reader_for(key, content_type).name


def _overrides(metadata: dict[str, str] | None) -> dict[str, str]:
    overrides = {k: normalize_text(v).strip() for k, v in (metadata or {}).items() if k in METADATA_FIELDS and v}
    return {k: v for k, v in overrides.items() if v}


def _article(reading: Reading, overrides: dict[str, str], key: str, folders: tuple[str, ...]) -> Article:
    # Entities (&#8203;), JSON escapes (\u200b) and HTML can still carry invisible characters after decoding.
    body = normalize_text(reading.body)
    title = normalize_text(strip_markup(without_controls(cut(reading.meta.title or "", MAX_TITLE_CHARS)))).strip()
    if not body and not title:
        raise Unindexable("no_article_text", "nothing but boilerplate")
    meta = reading.meta
    outlet = source_key(overrides.get("source") or meta.source or source_from_key(key, folders))
    return Article(
        title=cut(
            strip_markup(
                without_controls(
                    cut(
                        overrides.get("title") or title or body[:TITLE_FROM_BODY_CHARS].split("\n", 1)[0],
                        MAX_TITLE_CHARS,
                    )
                )
            ),
            MAX_TITLE_CHARS,
        ),
        body=body or title,
        source=_name(display_name(outlet)) if outlet else None,
        author=_name(overrides.get("author") or meta.author),
        published_at=parse_iso_date(overrides.get("published-at", "")) or meta.published_at,
        editor=_name(meta.editor),
        dateline=_name(meta.dateline),
        url=web_address(overrides.get("url")) or web_address(reading.url),
        format=reading.format,
    )


def _name(value: str | None) -> str | None:
    return value[:MAX_NAME_CHARS].rstrip() or None if value else None
