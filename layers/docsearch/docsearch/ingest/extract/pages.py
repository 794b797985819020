"""Positioned text of printed pages -> paragraphs in reading order, without page furniture or captions.

A PDF says where each run of text is drawn, not in which order it is read: a two-column page may be
written row by row across both columns. Given the runs of each page (``Span``: baseline position, font
size, text) and where images sit, this module

1. groups spans into rows (one baseline);
2. drops running headers and footers: rows in a page's top or bottom band that are page numbers or
   that repeat (digits aside) on several pages;
3. drops captions: rows in a smaller font just below an image;
4. finds a gutter (a vertical line that no span crosses, with text on both sides on several rows) and
   reads the rows around it column by column;
5. joins lines into paragraphs, repairing words hyphenated across line ends ("pemerin-" / "tah").

Span widths are estimated (``EM_PER_CHAR``), not measured from font metrics: the gutter test only needs
to tell a column gap (a centimetre or more) from a space between words.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

# Average advance of a character in ems: Helvetica's lower case averages 0.5, Times' 0.45; the upper
# bound keeps an estimated span from ending short of its real end (which could invent a gutter).
EM_PER_CHAR = 0.5
SAME_ROW = 0.4  # baselines closer than this many font sizes are one row
FURNITURE_BAND = 0.1  # running headers and footers sit in the top and bottom tenth of a page
CAPTION_SIZE = 0.9  # a caption's font is smaller than this share of the body's
CAPTION_REACH = 3.0  # a caption starts within this many of its font sizes below the image
MIN_COLUMN_ROWS = 3  # rows with text on both sides of a gutter before it counts as one
GUTTER_MIN_GAP = 1.0  # font sizes of empty space a gutter needs (more than a word space)
GUTTER_SPAN = (0.25, 0.75)  # where a gutter may be, as shares of the page width
DEFAULT_LEADING = 1.2  # line step in font sizes when a page has too few lines to measure it (typesetting's usual)
PARAGRAPH_GAP = 1.5  # a vertical gap over this many line steps starts a paragraph
SHORT_LINE = 0.8  # a line ending a sentence shorter than this share of the longest ends its paragraph
HEADING_SIZE = 1.15  # a font this much larger than the body's is a heading
HEADING_MAX_ROWS = 3  # a headline runs to at most three lines
PAGE_NUMBER = re.compile(
    r"^\W*(?:(?:hal(?:aman)?|page|hlm)\.?\s*)?\d{1,4}(?:\s*(?:/|dari|of)\s*\d{1,4})?\W*$", re.IGNORECASE
)
DIGITS = re.compile(r"\d+")
SENTENCE_END = (".", "!", "?", ":", '"', "”", "’")


@dataclass(frozen=True)
class Span:
    """A run of text drawn at one place: baseline start (``x``, ``y`` up from the bottom), font size."""

    x: float
    y: float
    size: float
    text: str

    @property
    def end(self) -> float:
        return self.x + len(self.text) * self.size * EM_PER_CHAR


@dataclass(frozen=True)
class Box:
    """An image on the page (PDF coordinates: ``bottom`` < ``top``)."""

    left: float
    bottom: float
    right: float
    top: float


@dataclass
class Page:
    width: float
    height: float
    spans: list[Span] = field(default_factory=list)
    images: list[Box] = field(default_factory=list)


@dataclass
class Row:
    y: float
    spans: list[Span]

    @property
    def size(self) -> float:
        return max(s.size for s in self.spans)

    @property
    def x(self) -> float:
        return self.spans[0].x

    @property
    def end(self) -> float:
        return max(s.end for s in self.spans)

    @property
    def text(self) -> str:
        return _join_spans(self.spans)


@dataclass(frozen=True)
class Line:
    """A line of text in reading order, with what paragraph joining needs to know."""

    text: str
    size: float
    y: float
    width: float
    block: int  # lines of one page column share a block; a new block may continue the paragraph


@dataclass(frozen=True)
class Layout:
    paragraphs: list[str]
    heading: str | None  # the first page's largest line, if larger than the body's
    body_size: float


def read_pages(pages: Sequence[Page]) -> Layout:
    """The pages' paragraphs in reading order, furniture and captions left out."""
    rows_by_page = [_rows(page.spans) for page in pages]
    body_size = _body_size(rows_by_page)
    furniture = _furniture(pages, rows_by_page)
    lines: list[Line] = []
    heading: str | None = None
    for number, (page, rows) in enumerate(zip(pages, rows_by_page, strict=True)):
        kept = [r for r in rows if r.text.strip() and _row_key(number, r) not in furniture]
        kept = [r for r in kept if not _is_caption(r, page.images, body_size)]
        if number == 0:
            heading = _heading(kept, body_size)
        lines.extend(_reading_order(kept, page.width, block_base=len(lines)))
    return Layout(_paragraphs(lines, body_size), heading, body_size)


def _rows(spans: Iterable[Span]) -> list[Row]:
    rows: list[Row] = []
    for span in sorted((s for s in spans if s.text.strip()), key=lambda s: (-s.y, s.x)):
        if rows and abs(rows[-1].y - span.y) <= SAME_ROW * max(span.size, 1.0):
            rows[-1].spans.append(span)
        else:
            rows.append(Row(span.y, [span]))
    for row in rows:
        row.spans.sort(key=lambda s: s.x)
    return rows


def _join_spans(spans: Sequence[Span]) -> str:
    parts: list[str] = []
    for i, span in enumerate(spans):
        text = span.text.strip()
        if i and parts and not parts[-1].endswith(" "):
            parts.append(" ")
        parts.append(text)
    return " ".join("".join(parts).split())


def _body_size(rows_by_page: Sequence[Sequence[Row]]) -> float:
    """The font size most text is set in (by characters)."""
    sizes: Counter[float] = Counter()
    for rows in rows_by_page:
        for row in rows:
            for span in row.spans:
                sizes[round(span.size, 1)] += len(span.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _row_key(page: int, row: Row) -> tuple[int, float]:
    return page, round(row.y, 1)


def _band(page: Page, row: Row) -> str | None:
    if row.y >= page.height * (1 - FURNITURE_BAND):
        return "top"
    if row.y <= page.height * FURNITURE_BAND:
        return "bottom"
    return None


def _furniture(pages: Sequence[Page], rows_by_page: Sequence[Sequence[Row]]) -> set[tuple[int, float]]:
    """Rows that are running headers, footers or page numbers, by (page, baseline)."""
    candidates: dict[tuple[str, str], list[tuple[int, float]]] = {}
    found: set[tuple[int, float]] = set()
    for number, (page, rows) in enumerate(zip(pages, rows_by_page, strict=True)):
        for row in rows:
            band = _band(page, row)
            if band is None:
                continue
            if PAGE_NUMBER.match(row.text):
                found.add(_row_key(number, row))
            candidates.setdefault((band, DIGITS.sub("#", row.text.lower())), []).append(_row_key(number, row))
    repeats = max(2, (len(pages) + 1) // 2)  # on at least half the pages (and two) it is furniture
    for keys in candidates.values():
        if len({page for page, _ in keys}) >= repeats:
            found.update(keys)
    return found


def _is_caption(row: Row, images: Sequence[Box], body_size: float) -> bool:
    if row.size >= body_size * CAPTION_SIZE:
        return False
    top = row.y + row.size
    return any(
        image.bottom - CAPTION_REACH * row.size <= top <= image.bottom + row.size
        and row.x <= image.right
        and row.end >= image.left
        for image in images
    )


def _heading(rows: Sequence[Row], body_size: float) -> str | None:
    """The largest text on the page (consecutive rows of it joined), if it is larger than the body."""
    if not rows or not body_size:
        return None
    largest = max(row.size for row in rows)
    if largest < body_size * HEADING_SIZE:
        return None
    start = next(i for i, row in enumerate(rows) if row.size == largest)
    run: list[str] = []
    for row in rows[start : start + HEADING_MAX_ROWS]:
        if row.size != largest:
            break
        run.append(row.text)
    return " ".join(run)


def _gutter(rows: Sequence[Row], width: float) -> float | None:
    """The x of a column gap that the most rows (at least MIN_COLUMN_ROWS) have text on both sides of.

    Each row with a wide gap between its spans offers the interval of x a gutter could take there; a
    sweep over the intervals' ends finds where most overlap (linear in spans, after a sort)."""
    low, high = (width * share for share in GUTTER_SPAN)
    ends: list[tuple[float, int]] = []
    for row in rows:
        margin = GUTTER_MIN_GAP * row.size / 2
        reach = row.spans[0].end
        for span in row.spans[1:]:
            start, stop = max(reach + margin, low), min(span.x - margin, high)
            if start <= stop:
                ends += [(start, 1), (stop, -1)]
            reach = max(reach, span.end)
    best, best_rows, open_rows = None, 0, 0
    for position, change in sorted(ends, key=lambda end: (end[0], -end[1])):
        open_rows += change
        if open_rows > best_rows:
            best, best_rows = position, open_rows
    return best if best_rows >= MIN_COLUMN_ROWS else None


def _splits(row: Row, x: float) -> str:
    """Where ``row`` lies relative to a gutter at ``x``: both sides, one side, or across it."""
    margin = GUTTER_MIN_GAP * row.size / 2
    if any(s.x < x + margin and s.end > x - margin for s in row.spans):
        return "across"
    left = any(s.end <= x for s in row.spans)
    right = any(s.x >= x for s in row.spans)
    return "both" if left and right else "left" if left else "right"


def _reading_order(rows: Sequence[Row], width: float, block_base: int) -> list[Line]:
    """Rows as lines in reading order: a run of rows around a gutter is read column by column."""
    gutter = _gutter(rows, width)
    if gutter is None:
        return [_line(row, row.spans, block_base) for row in rows]
    sides = [_splits(row, gutter) for row in rows]
    last_both = max((i for i, side in enumerate(sides) if side == "both"), default=-1)
    lines: list[Line] = []
    i, block = 0, block_base
    while i < len(rows):
        if sides[i] != "both":
            lines.append(_line(rows[i], rows[i].spans, block))
            i += 1
            continue
        end = _band_end(sides, i, last_both)
        band = rows[i:end]
        left = [_line(r, [s for s in r.spans if s.end <= gutter], block + 1) for r in band]
        right = [_line(r, [s for s in r.spans if s.x >= gutter], block + 2) for r in band]
        lines.extend(line for line in left + right if line.text)
        block += 3
        i = end
    return lines


def _band_end(sides: Sequence[str], start: int, last_both: int) -> int:
    """The end of the two-column run starting at ``start``: rows on one side inside it or right after it
    belong to it (columns of unequal length; a left-only row ends it unless both columns go on below); a
    row across the gutter ends it. ``last_both``: the last row with text on both sides."""
    end = start
    for j in range(start, len(sides)):
        if sides[j] == "across":
            break
        end = j + 1
        if sides[j] == "left" and j > last_both:
            break
    return end


def _line(row: Row, spans: Sequence[Span], block: int) -> Line:
    if not spans:
        return Line("", row.size, row.y, 0.0, block)
    return Line(_join_spans(spans), max(s.size for s in spans), row.y, max(s.end for s in spans) - spans[0].x, block)


def _paragraphs(lines: Sequence[Line], body_size: float) -> list[str]:
    """Lines joined into paragraphs: a break at a wide vertical gap, a change of font size, or a short
    line that ends a sentence; a hyphen at a line end joins the word halves."""
    steps = [a.y - b.y for a, b in pairwise(lines) if a.block == b.block and a.y > b.y]
    step = statistics.median(steps) if steps else body_size * DEFAULT_LEADING
    widest: dict[int, float] = {}
    for line in lines:
        widest[line.block] = max(widest.get(line.block, 0.0), line.width)
    paragraphs: list[list[str]] = []
    previous: Line | None = None
    for line in lines:
        if previous is None or _breaks(previous, line, step, widest[previous.block]):
            paragraphs.append([line.text])
        else:
            paragraphs[-1].append(line.text)
        previous = line
    return [join_lines(parts) for parts in paragraphs]


def _breaks(previous: Line, line: Line, step: float, widest: float) -> bool:
    ends_sentence = previous.text.endswith(SENTENCE_END)
    if abs(previous.size - line.size) > 0.5:
        return True
    if previous.block != line.block:  # next column or page: the paragraph goes on unless it ended
        return ends_sentence
    if previous.y - line.y > PARAGRAPH_GAP * step or previous.y < line.y:
        return True
    return ends_sentence and previous.width < SHORT_LINE * widest


def join_lines(lines: Sequence[str]) -> str:
    """Lines of one paragraph as one string. A word hyphenated at a line end is whole again ("pemerin-" +
    "tah" -> "pemerintah"); a hyphen that belongs to the word stays, without a space ("berjam-" + "jam",
    "anak-" + "anak": Indonesian reduplication; "Jawa-" + "Bali": a capital after it; "2023-" + "2024")."""
    parts: list[str] = []
    for line in (part.strip() for part in lines):
        if not line:
            continue
        if not parts:
            parts.append(line)
        elif parts[-1].endswith("\u00ad") or _soft_break(parts[-1], line):
            parts[-1] = parts[-1][:-1]
            parts.append(line)
        elif parts[-1].endswith("-") and len(parts[-1]) > 1 and parts[-1][-2].isalnum():
            parts.append(line)
        else:
            parts += [" ", line]
    return "".join(parts)


def _soft_break(before: str, after: str) -> bool:
    """Whether the hyphen ending ``before`` only splits a word that ``after`` completes."""
    if not before.endswith("-") or len(before) < 2 or not before[-2].isalpha() or not after[0].islower():
        return False
    head = before[:-1].rsplit(maxsplit=1)[-1].lower()
    tail = "".join(ch for ch in after.split(maxsplit=1)[0].lower() if ch.isalpha())
    return not (tail and head.endswith(tail))  # reduplication: berjam-jam, anak-anak, bermain-main
