"""Per format and field: how many titles, dates and outlets ingest gets right against the source data.

Every record is uploaded in each form and run through the ingest's extraction exactly as the worker runs
it (``extract_article`` with the object's bytes, S3 metadata, key and content type). A title is right when
it equals the source headline (spaces collapsed); a date when the stored day is the day of publication;
an outlet when the stored name is the brand as the outlet writes it (the channel: "detikJabar",
"CNBC Indonesia"). A date is implausible when it lies after the upload or before 1990, or more than a
year away from the publication.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from docsearch.ingest.extract import Unindexable, extract_article
from eval.archive.corpus import HELD_OUT_DIGITS, Record
from eval.archive.forms import Upload

FIELDS = ("title", "date", "outlet")
OLDEST_PLAUSIBLE = date(1990, 1, 1)
PLAUSIBLE_DAYS = 366


@dataclass
class FormTally:
    total: int = 0
    right: Counter[str] = field(default_factory=Counter)
    implausible: int = 0
    undated: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    wrong: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # field -> (id, got, wanted)


def _same_title(got: str, wanted: str) -> bool:
    return " ".join(got.split()) == " ".join(wanted.split())


def implausible(got: date, wanted: date, uploaded: date) -> bool:
    return got > uploaded or got < OLDEST_PLAUSIBLE or abs((got - wanted).days) > PLAUSIBLE_DAYS


def tally(rows: Iterable[tuple[Record, Upload]], uploaded: date) -> FormTally:
    result = FormTally()
    for record, upload in rows:
        result.total += 1
        try:
            article = extract_article(upload.data, upload.metadata, key=upload.key, content_type=upload.content_type)
        except Unindexable as error:
            result.skipped[error.reason] += 1
            continue
        got = {"title": article.title, "date": article.published_at or "", "outlet": article.source or ""}
        wanted = {"title": record.title, "date": record.date, "outlet": record.channel}
        checks = {
            "title": _same_title(got["title"], wanted["title"]),
            "date": got["date"] == wanted["date"],
            "outlet": got["outlet"] == wanted["outlet"],
        }
        for name, ok in checks.items():
            if ok:
                result.right[name] += 1
            else:
                result.wrong.setdefault(name, []).append((record.id, got[name], wanted[name]))
        if not article.published_at:
            result.undated += 1
        elif implausible(date.fromisoformat(article.published_at), date.fromisoformat(record.date), uploaded):
            result.implausible += 1
    return result


def table(tallies: dict[tuple[str, str], FormTally], title: str) -> str:
    """A markdown table: one row per archive and format."""
    lines = [
        title,
        "| archive | format | articles | titles right | dates right | outlets right | undated | implausible dates "
        "| skipped |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for (archive, fmt), t in tallies.items():
        cells = [f"{t.right[name]} ({100 * t.right[name] / max(t.total, 1):.1f} %)" for name in FIELDS]
        skipped = ", ".join(f"{reason} {n}" for reason, n in t.skipped.items()) or "0"
        lines.append(
            f"| {archive} | {fmt} | {t.total} | {' | '.join(cells)} | {t.undated} | {t.implausible} | {skipped} |"
        )
    return "\n".join(lines)


def examples(tallies: dict[tuple[str, str], FormTally], per_field: int = 3) -> str:
    """A few wrong values per archive, format and field, from the tuning part only (the held-out part's
    are never printed, so fixes are not written from them)."""
    lines = []
    for (archive, fmt), t in tallies.items():
        for name, every in t.wrong.items():
            wrong = [item for item in every if item[0][-1] not in HELD_OUT_DIGITS]
            shown = "; ".join(f"{got!r} for {wanted!r}" for _, got, wanted in wrong[:per_field])
            lines.append(f"  {archive}/{fmt} {name}: {len(every)} wrong; tuning part, e.g.: {shown or '-'}")
    return "\n".join(lines)
