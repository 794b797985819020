"""Indonesian news dates -> ISO dates, driven by data/dates.json (month and day names).

Handles "Kamis, 20 Juni 2024 - 19:19 WIB", "KAMIS, 20 JUNI 2024 | 11:34 WIB",
"Selasa, 11 Mar 2025 09:20 WIB", "20/6/2024", "2024-06-20T19:19:00+07:00".
A small table-driven parser rather than ``dateparser``: these are the formats news
sites use, and it imports in microseconds instead of ~0.7 s (Lambda cold start).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class DateTables:
    months: dict[str, int]
    days: frozenset[str]
    named: re.Pattern[str]  # 20 Juni 2024
    numeric: re.Pattern[str]  # 20/6/2024 or 20-06-2024
    iso: re.Pattern[str]  # 2024-06-20
    stamp_noise: re.Pattern[str]  # what a pure timestamp line is made of


@lru_cache(maxsize=1)
def tables() -> DateTables:
    raw = json.loads(resources.files("docsearch").joinpath("data/dates.json").read_text(encoding="utf-8"))
    months: dict[str, int] = raw["months"]
    month_alt = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    day_alt = "|".join(sorted(map(re.escape, raw["days"]), key=len, reverse=True))
    zone_alt = "|".join(map(re.escape, raw["time_zones"]))
    unit_alt = "|".join(map(re.escape, raw["relative_units"]))
    named = re.compile(rf"\b(\d{{1,2}})\s+({month_alt})\.?,?\s+(\d{{4}})\b", re.IGNORECASE)
    numeric = re.compile(r"(?<![\d/])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?![\d/])")
    iso = re.compile(r"\b(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ][\d:.+\-Z]*)?")  # 2024-06-20, 2024/06/20 (detik)
    noise = (
        rf"(?:{named.pattern})|(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{4}})|(?:{iso.pattern})"
        rf"|\b(?:{day_alt})\b|\b\d{{1,2}}[:.]\d{{2}}(?::\d{{2}})?\b|\b(?:{zone_alt})\b"
        rf"|\b\d+\s+(?:{unit_alt})\s+(?:yang\s+)?lalu\b|\b(?:pukul|jam)\b|[\s,|\-–—:()/.]+"
    )
    return DateTables(months, frozenset(raw["days"]), named, numeric, iso, re.compile(noise, re.IGNORECASE))


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The first full date (day, month, year) in ``text``, or None."""
    t = tables()
    found: list[tuple[int, date]] = []
    for match in t.named.finditer(text):
        parsed = _valid(int(match[3]), t.months[match[2].lower()], int(match[1]))
        if parsed:
            found.append((match.start(), parsed))
            break
    for match in t.iso.finditer(text):
        parsed = _valid(int(match[1]), int(match[2]), int(match[3]))
        if parsed:
            found.append((match.start(), parsed))
            break
    for match in t.numeric.finditer(text):
        parsed = _valid(int(match[3]), int(match[2]), int(match[1]))  # Indonesian order: day/month/year
        if parsed:
            found.append((match.start(), parsed))
            break
    return min(found, key=lambda item: item[0])[1] if found else None


# Where a date may come from, strongest first (stored as ``date_source``). Structured evidence is what the
# publisher or uploader set as the publication date; a date line is text beside the headline.
STRUCTURED_SOURCES = ("s3-metadata", "json", "meta-tag", "json-ld", "time-element")
DATE_LINE = "date-line"
# Online Indonesian news begins in the mid-1990s (detik 1998, Kompas.com 1995): a date line older than
# this is a founding year, a birth date or a typo ("Universitas 17 Agustus 1945"), not a publication.
# Structured metadata may be older (a digitised archive states its own dates).
OLDEST_TEXT_DATE = date(1990, 1, 1)
# WIB is UTC+7: an article's date may be a day ahead of the UTC clock at upload; later is refused.
FUTURE_SLACK = timedelta(days=1)


def plausible(day: date, source: str, today: date | None = None) -> bool:
    """Whether ``day`` can be the publication date of an article uploaded ``today`` (UTC), given where
    it came from: never after the upload, and from a date line not before ``OLDEST_TEXT_DATE``."""
    if day > (today or datetime.now(UTC).date()) + FUTURE_SLACK:
        return False
    return source in STRUCTURED_SOURCES or day >= OLDEST_TEXT_DATE


def parse_iso_date(text: str) -> str | None:
    """``text`` as an ISO date string (YYYY-MM-DD), or None if it holds no date."""
    parsed = find_date(text)
    return parsed.isoformat() if parsed else None


def is_timestamp(text: str) -> bool:
    """True if ``text`` is nothing but a date and/or time (a list item's stamp, a dateline row)."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_STAMP_CHARS or not any(ch.isdigit() for ch in stripped):
        return False
    return tables().stamp_noise.sub("", stripped) == ""


# A stamp line ("Kamis, 20 Juni 2024 | 11:34 WIB") and a stamped list item are short; longer lines are
# prose and are not run through the stamp patterns (5 MB articles: extraction 5.3 s -> see make bench).
MAX_STAMP_CHARS = 80
MAX_LIST_ITEM_CHARS = 300
STAMP_SEPARATORS = "-–—|("  # a stamp never holds these; a comma may also separate it from its head
HAS_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b")


def split_trailing_stamp(text: str) -> tuple[str, str] | None:
    """ "Harga Emas Naik - 19 Juni 2024, 08:15" -> ("Harga Emas Naik", "19 Juni 2024, 08:15"): the head and
    what follows its first separator after which no other separator but commas comes. A string scan, not
    a regular expression: the pattern this replaces was cubic in the line's length."""
    last = max(text.rfind(ch) for ch in STAMP_SEPARATORS)
    split = last if last >= 1 else text.find(",", max(last, 0) + 1)
    if split < 1 or not text[:split].strip():
        return None
    stamp = text[split + 1 :].strip()
    return text[:split].rstrip(), stamp.removesuffix(")").rstrip()


def has_trailing_timestamp(text: str) -> bool:
    """True for a list item such as "Harga Emas Naik - 19 Juni 2024, 08:15 WIB" (a date *and* a time)."""
    text = text.strip()
    if len(text) > MAX_LIST_ITEM_CHARS or text.endswith("."):  # a paragraph or a sentence, not a list item
        return False  # ("... di Pyongyang, Rabu (19/6/2024)." is a sentence)
    parts = split_trailing_stamp(text)
    if parts is None or not any(ch.isdigit() for ch in parts[1]):
        return False
    head, stamp = parts
    if head.split()[-1].lower().strip(",") in tables().days:  # "Rabu (19/6/2024)" closes a clause, not a list item
        return False
    return is_timestamp(stamp) and (HAS_TIME.search(stamp) is not None or find_date(stamp) is not None)
