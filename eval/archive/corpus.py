"""Real archives -> records (title, date, outlet, URL, body, summary), built from pinned public mirrors.

Each archive is a file at a pinned commit of a public GitHub repository, read from a bare mirror
(``git show COMMIT:PATH``) at run time and cached as JSON lines; nothing of it is committed here. Where
the mirror is absent (CI), ``load_archives`` returns no records and says why: the report is then skipped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from docsearch_local.paths import cache_home

MIRROR_ROOT = Path(os.environ.get("DOCSEARCH_ARCHIVE_MIRROR", "/work/.mirror"))
# Held out from tuning: articles whose URL's SHA-1 ends in 0, 1 or 2 (3/16 of each archive, about 19 %).
HELD_OUT_DIGITS = "012"


@dataclass(frozen=True)
class Record:
    id: str  # the first 16 hex digits of the URL's SHA-1
    archive: str
    outlet: str  # the outlet's brand as it names itself ("detikcom", "CNBC Indonesia")
    channel: str  # the channel's brand ("detikJabar"); the outlet's own name where it has none
    title: str
    published: str  # ISO date-time in WIB, minutes precision ("2025-10-21T20:43")
    url: str
    body: str
    summary: str = ""

    @property
    def date(self) -> str:
        return self.published[:10]

    @property
    def held_out(self) -> bool:
        return self.id[-1] in HELD_OUT_DIGITS


@dataclass(frozen=True)
class Archive:
    name: str
    repo: str
    commit: str
    path: str
    licence: str
    about: str
    convert: Callable[[list[dict[str, str]]], list[Record]]

    @property
    def mirror(self) -> Path:
        return MIRROR_ROOT / self.repo.replace("/", "+") / "repo"


def record_id(url: str) -> str:
    return hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:16]


# detik's channels: a host's first label (news.detik.com) or www.detik.com's first folder (/jabar/).
DETIK_HOST_CHANNELS = {
    "news": "detikNews",
    "finance": "detikFinance",
    "hot": "detikHot",
    "travel": "detikTravel",
    "health": "detikHealth",
    "sport": "detikSport",
    "inet": "detikInet",
    "food": "detikFood",
    "oto": "detikOto",
    "wolipop": "Wolipop",
}


def detik_channel(url: str) -> str:
    parts = urlsplit(url)
    label = (parts.hostname or "").split(".")[0]
    if label in DETIK_HOST_CHANNELS:
        return DETIK_HOST_CHANNELS[label]
    folder = parts.path.strip("/").split("/")[0]
    return "detik" + folder[:1].upper() + folder[1:] if folder else "detikcom"


def _detik(rows: list[dict[str, str]]) -> list[Record]:
    records: dict[str, Record] = {}
    for row in rows:
        url = row["tautan"].strip()
        if not url or url in records:  # the file repeats 91 of its rows
            continue
        stamp = datetime.strptime(row["tanggal"].strip(), "%m/%d/%Y %H:%M")
        records[url] = Record(
            id=record_id(url),
            archive="detik",
            outlet="detikcom",
            channel=detik_channel(url),
            title=" ".join(row["judul"].split()),
            published=stamp.isoformat(timespec="minutes"),
            url=url,
            body=row["isi_berita"].strip(),
            summary=" ".join(row["Summary"].split()),
        )
    return list(records.values())


ID_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            *("januari", "februari", "maret", "april", "mei", "juni", "juli"),
            *("agustus", "september", "oktober", "november", "desember"),
        ],
        1,
    )
}
NAMED_STAMP = re.compile(r"(\d{1,2}) (\w+) (\d{4}) (\d{1,2}):(\d{2})")


def _cnbc(rows: list[dict[str, str]]) -> list[Record]:
    records: dict[str, Record] = {}
    for row in rows:
        url = row["url"].strip()
        match = NAMED_STAMP.fullmatch(row["tanggal"].strip())
        if not url or url in records or not match:
            continue
        day, month, year, hour, minute = match.groups()
        stamp = datetime(int(year), ID_MONTHS[month.lower()], int(day), int(hour), int(minute))
        records[url] = Record(
            id=record_id(url),
            archive="cnbc",
            outlet="CNBC Indonesia",
            channel="CNBC Indonesia",
            title=" ".join(row["judul"].split()),
            published=stamp.isoformat(timespec="minutes"),
            url=url,
            body=row["isi"].strip(),
        )
    return list(records.values())


ARCHIVES = (
    Archive(
        name="detik",
        repo="gabriellaclairine/indonesian-news-summarization-dataset",
        commit="ec1694fcbc79199ad5b6fa9cb618d8d02e7e19a7",
        path="data_berita.csv",
        licence="none stated (README: a research dataset of detik.com articles)",
        about="1,000 rows (909 distinct URLs) of detik.com, Sept-Oct 2025, 29 channels, human summaries",
        convert=_detik,
    ),
    Archive(
        name="cnbc",
        repo="rrayhka/pencarian-penambangan-web",
        commit="79bae14b16b046c9108ad30425d9a9ec8b78d148",
        path="ppw_book/data-artikel-cnbc.csv",
        licence="MIT (the repository's; the articles' copyright stays with CNBC Indonesia)",
        about="398 articles of cnbcindonesia.com, September 2024, four channels (News, Market, Tech, Research)",
        convert=_cnbc,
    ),
)


def cache_dir() -> Path:
    return Path(os.environ.get("DOCSEARCH_ARCHIVE_CACHE", cache_home() / "archive"))


def _read_mirror(archive: Archive) -> str | None:
    if not archive.mirror.is_dir():
        return None
    done = subprocess.run(  # a fixed git command on a pinned commit
        ["git", "--git-dir", str(archive.mirror), "show", f"{archive.commit}:{archive.path}"],
        capture_output=True,
        check=False,
    )
    return done.stdout.decode("utf-8") if done.returncode == 0 else None


def load_archive(archive: Archive) -> list[Record] | None:
    """The archive's records from the cache, else built from its mirror; None when neither exists."""
    cached = cache_dir() / f"{archive.name}-{archive.commit[:12]}.jsonl"
    if cached.exists():
        lines = cached.read_text(encoding="utf-8").split("\n")  # not splitlines(): bodies hold U+2028
        return [Record(**json.loads(line)) for line in lines if line]
    text = _read_mirror(archive)
    if text is None:
        return None
    records = archive.convert(list(csv.DictReader(io.StringIO(text))))
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text("".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return records


def load_archives() -> tuple[dict[str, list[Record]], list[str]]:
    """Every archive that can be had, and a line per archive that cannot (why it is skipped)."""
    found: dict[str, list[Record]] = {}
    missing = []
    for archive in ARCHIVES:
        records = load_archive(archive)
        if records is None:
            missing.append(f"{archive.name}: no mirror of {archive.repo}@{archive.commit[:12]} at {archive.mirror}")
        else:
            found[archive.name] = records
    return found, missing
