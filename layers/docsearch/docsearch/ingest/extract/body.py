"""Text lines -> the article's body: header block, boilerplate and dateline out, what they said kept.

Every text format ends here once its reader has its lines (plain text, Markdown, HTML's main text,
JSON's body field); metadata found on the way goes into a ``TextMeta``.
"""

from __future__ import annotations

from docsearch.ingest.extract.boilerplate import clean_lines, label_lines
from docsearch.ingest.extract.dates import find_date
from docsearch.ingest.extract.metadata import TextMeta, read_bylines, read_dateline, read_header

DATE_SEARCH_PARAGRAPHS = 3  # a date in the lead's first paragraphs is the story's; later ones are history


def clean_text(lines: list[str], meta: TextMeta, *, title_known: bool = False) -> str:
    """Header block, boilerplate and dateline out; metadata found on the way goes into ``meta``."""
    body_lines = _without_header(lines, meta, title_known)
    labels = label_lines(body_lines)
    for line, label in zip(body_lines, labels, strict=True):
        if label == "byline":
            read_bylines(line, meta)
    kept = clean_lines(body_lines, labels)
    first = next((i for i, line in enumerate(kept) if line), None)
    if first is not None:
        kept[first] = read_dateline(kept[first], meta).strip()
    if meta.published_at is None:
        meta.published_at = _early_date(kept)
    return "\n".join(kept).strip()


def _without_header(lines: list[str], meta: TextMeta, title_known: bool) -> list[str]:
    """``lines`` without the header block (and with the headline blanked where it opens the text)."""
    header = read_header(lines, meta.title if title_known else None)
    meta.fill(header)
    body_lines = [line for i, line in enumerate(lines) if i not in header.dropped]
    first = next((i for i, line in enumerate(body_lines) if line.strip()), None)
    if first is not None and not header.dropped and body_lines[first].strip().lstrip("#").strip() == meta.title:
        body_lines[first] = ""  # the headline was the first line: it is the title, not body text
    return body_lines


def _early_date(kept: list[str]) -> str | None:
    paragraphs = [line for line in kept if line][:DATE_SEARCH_PARAGRAPHS]
    found = next((d for d in map(find_date, paragraphs) if d), None)
    return found.isoformat() if found else None
