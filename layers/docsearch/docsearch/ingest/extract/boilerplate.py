"""Boilerplate in Indonesian news text, line by line, driven by data/boilerplate.json.

Each line of a body gets a label: ``None`` for content, ``"blank"`` for an empty
line, or the name of the boilerplate family that claimed it (``related``,
``lists``, ``comment``, ``share``, ``photo``, ``duplicate``, ...). Labels rather
than a filtered list so the removal can be measured against hand-labelled samples.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from docsearch.ingest.extract.dates import has_trailing_timestamp, is_timestamp

LIST_ITEM_MAX_WORDS = 20  # a teaser headline is shorter than this
TRAILING_STAMP_MAX_WORDS = 30
DUPLICATE_MIN_CHARS = 20  # shorter repeated lines ("Foto/AP") are left to their own family
PROSE_MIN_WORDS = 5
PROSE_LONG_WORDS = 25
# A boilerplate line is short in characters as well as words ("Baca juga: ...", a photo credit): longer
# lines are never run through the family patterns, whose "^\W*" would otherwise rescan a megabyte-long
# one-word line about forty times (2 MB of "![": 4 s).
FAMILY_MAX_CHARS = 2000
SENTENCE_END = re.compile(r"[.!?…\"”’')\]]$")
NUMBERED = re.compile(r"^(\d{1,2}[.)]|[-•*·▪►»])\s+")


@dataclass(frozen=True)
class Family:
    name: str
    max_words: int
    patterns: tuple[re.Pattern[str], ...]

    def matches(self, line: str, words: int) -> bool:
        return words <= self.max_words and len(line) <= FAMILY_MAX_CHARS and any(p.search(line) for p in self.patterns)


@dataclass(frozen=True)
class Rules:
    families: tuple[Family, ...]
    list_headers: Family
    inline: tuple[re.Pattern[str], ...]
    site_suffixes: tuple[str, ...]


def _family(raw: dict[str, object]) -> Family:
    patterns = raw["patterns"]
    assert isinstance(patterns, list)
    return Family(str(raw["name"]), int(str(raw["max_words"])), tuple(re.compile(p, re.IGNORECASE) for p in patterns))


@lru_cache(maxsize=1)
def rules() -> Rules:
    raw = json.loads(resources.files("docsearch").joinpath("data/boilerplate.json").read_text(encoding="utf-8"))
    return Rules(
        families=tuple(_family(f) for f in raw["families"]),
        list_headers=_family(raw["list_headers"]),
        inline=tuple(re.compile(p, re.IGNORECASE) for p in raw["inline"]),
        site_suffixes=tuple(raw["site_suffixes"]),
    )


def word_count(line: str) -> int:
    return len(line.split())


def is_prose(line: str) -> bool:
    """A sentence of the article rather than a label, a headline or a stamp."""
    words = word_count(line)
    return words >= PROSE_LONG_WORDS or (words >= PROSE_MIN_WORDS and SENTENCE_END.search(line) is not None)


def is_headline_like(line: str) -> bool:
    return word_count(line) <= LIST_ITEM_MAX_WORDS and not line.rstrip().endswith((".", ":", ";", ","))


def family_of(line: str) -> str | None:
    """The boilerplate family a single line belongs to, judged on its own (no context)."""
    words = word_count(line)
    for family in rules().families:
        if family.matches(line, words):
            return family.name
    return None


def is_list_header(line: str) -> bool:
    return rules().list_headers.matches(line, word_count(line))


def _is_list_item(line: str) -> bool:
    if is_timestamp(line) or has_trailing_timestamp(line):
        return True
    if NUMBERED.match(line):
        return word_count(line) <= LIST_ITEM_MAX_WORDS + 2 and not is_prose(NUMBERED.sub("", line))
    return is_headline_like(line) and not is_prose(line)


@lru_cache(maxsize=4096)  # label_lines and clean_lines both ask, for every content line
def strip_inline(line: str) -> str:
    for pattern in rules().inline:
        line = pattern.sub("", line)
    return line.strip()


def _duplicate_key(line: str) -> str:
    return " ".join(line.lower().split())


def label_lines(lines: list[str]) -> list[str | None]:
    """One label per line: None (content), "blank", or the boilerplate family's name."""
    labels: list[str | None] = [None] * len(lines)
    in_list = False
    seen: set[str] = set()
    last_content = -1
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            labels[i] = "blank"
            continue
        words = word_count(line)
        if is_list_header(line):
            labels[i], in_list = "lists", True
            continue
        if in_list and _is_list_item(line):
            labels[i] = "lists"
            continue
        in_list = False
        family = family_of(line)
        if family:
            labels[i] = family
            continue
        if is_timestamp(line):
            labels[i] = "lists"  # "Kamis, 05 Februari 2026 | 18:01" under a teaser headline
            if last_content >= 0 and is_headline_like(lines[last_content].strip()):
                labels[last_content] = "lists"
            continue
        if words <= TRAILING_STAMP_MAX_WORDS and has_trailing_timestamp(line):
            labels[i] = "lists"
            continue
        if not strip_inline(line):
            labels[i] = "initials"
            continue
        key = _duplicate_key(line)
        if len(key) >= DUPLICATE_MIN_CHARS and key in seen:
            labels[i] = "duplicate"
            continue
        seen.add(key)
        last_content = i
    return labels


def clean_lines(lines: list[str], labels: list[str | None] | None = None) -> list[str]:
    """The content lines, inline boilerplate cut out, one blank line between paragraphs (``labels``:
    label_lines(lines), if the caller has them already)."""
    kept: list[str] = []
    for line, label in zip(lines, labels or label_lines(lines), strict=True):
        if label is None:
            kept.append(strip_inline(line))
        elif label == "blank" and kept and kept[-1]:
            kept.append("")
    while kept and not kept[-1]:
        kept.pop()
    return kept
