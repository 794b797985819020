"""A record -> the three forms newsrooms upload: a saved HTML page, a CMS JSON export, copy-pasted text.

Each form is written the way the outlet's own pages and tools write it, boilerplate included: the page
carries the outlet's meta tags (detik's ``publishdate`` and lower-case ``og:site_name``; CNBC Indonesia's
JSON-LD), a visible date line under the headline, a photo and its caption, "Baca juga" boxes, a
"Terpopuler" sidebar with other stories' dates, tags and a footer. The pasted text has a
"Channel | Hari, dd Mmm yyyy HH:MM WIB" line under the headline and, for a quarter of the articles, a
photo caption ("… FOTO: AFP") between the headline and the lead, or above the headline, as
the selection caught it. Which article gets which variant depends
on its id only, so a run is reproducible.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from eval.archive.corpus import Record

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
CREDITS = ("FOTO: AFP", "(ANTARA FOTO/Hafidz Mubarak A)", "Foto: Dok. Istimewa", "FOTO: REUTERS/Willy Kurniawan")


@dataclass(frozen=True)
class Upload:
    """One uploaded object: its key, bytes, content type and S3 user metadata."""

    key: str
    data: bytes
    content_type: str
    metadata: dict[str, str]


def _stamp(record: Record) -> datetime:
    return datetime.fromisoformat(record.published)


def date_line(record: Record) -> str:
    """ "Selasa, 21 Okt 2025 20:43 WIB", as detik and CNBC Indonesia print it under the headline."""
    when = _stamp(record)
    return f"{DAYS[when.weekday()]}, {when.day:02d} {MONTHS[when.month - 1]} {when.year} {when:%H:%M} WIB"


def _variant(record: Record, modulo: int) -> int:
    return int(record.id[:8], 16) % modulo


def caption(record: Record) -> str:
    """A photo caption in the shape outlets write them: what the photo shows, where, the day before."""
    lead = record.body.split("\n", 1)[0]
    clause = lead.split(",")[0].split(".")[0]
    words = clause.split()[:14]
    day = _stamp(record) - timedelta(days=1)
    credit = CREDITS[_variant(record, len(CREDITS))]
    return f"{' '.join(words)} di Jakarta, {DAYS[day.weekday()]} ({day.day}/{day.month}/{day.year}). {credit}"


def _paragraphs(record: Record) -> list[str]:
    return [line.strip() for line in record.body.splitlines() if line.strip()]


def _site_name(record: Record) -> str:
    # detik writes its channel lower-case in og:site_name ("detiknews", "detikjabar").
    return record.channel.lower() if record.archive == "detik" else record.outlet


def html_page(record: Record, related: list[Record]) -> str:
    e = html.escape
    when = _stamp(record)
    paragraphs = [f"<p>{e(p)}</p>" for p in _paragraphs(record)]
    if related:
        box = (
            '<table class="linksisip"><tr><td><div class="lihatjg"><strong>Baca juga:</strong> '
            f'<a href="{e(related[0].url)}">{e(related[0].title)}</a></div></td></tr></table>'
        )
        paragraphs.insert(min(2, len(paragraphs)), box)
    popular = "".join(
        f'<li><a href="{e(r.url)}">{e(r.title)}</a> <span class="date">{e(date_line(r))}</span></li>' for r in related
    )
    if record.archive == "detik":
        structured = f'<meta name="publishdate" content="{when:%Y/%m/%d %H:%M}:00">'
    else:
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": record.title,
            "datePublished": f"{when:%Y-%m-%dT%H:%M}:00+07:00",
            "publisher": {"@type": "Organization", "name": record.outlet},
            "mainEntityOfPage": record.url,
        }
        structured = f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    return f"""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>{e(record.title)}</title>
<meta name="description" content="{e(_paragraphs(record)[0][:160] if _paragraphs(record) else "")}">
{structured}
<meta property="og:site_name" content="{e(_site_name(record))}">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(record.title)}">
<meta property="og:url" content="{e(record.url)}">
<link rel="canonical" href="{e(record.url)}">
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/berita">Berita</a> <a href="/daerah">Daerah</a>
<a href="/indeks">Indeks</a> <a href="/foto">Foto</a> <a href="/video">Video</a></nav></header>
<main>
<article class="detail">
<div class="detail__header">
<div class="breadcrumb"><a href="/">{e(record.outlet)}</a> / <a href="/">{e(record.channel)}</a></div>
<h1 class="detail__title">{e(record.title)}</h1>
<div class="detail__author">Tim Redaksi - {e(record.channel)}</div>
<div class="detail__date">{e(date_line(record))}</div>
</div>
<figure class="detail__media-image"><img src="/foto/{record.id}.jpg" alt="">
<figcaption class="detail__media-caption">{e(caption(record))}</figcaption></figure>
<div class="detail__body-text itp_bodycontent">
{chr(10).join(paragraphs)}
</div>
<div class="detail__body-tag"><span>Tag:</span> <a href="/tag/berita">berita</a>
<a href="/tag/nasional">nasional</a></div>
</article>
<aside class="terpopuler"><h2>Terpopuler</h2><ol>{popular}</ol></aside>
</main>
<footer><p>Copyright &copy; {when.year} {e(record.outlet)}. All rights reserved.</p>
<a href="/redaksi">Redaksi</a> <a href="/pedoman">Pedoman Media Siber</a> <a href="/karir">Karir</a></footer>
</body>
</html>
"""


def cms_json(record: Record) -> str:
    when = _stamp(record)
    export = {
        "id": record.id,
        "title": record.title,
        "source": record.channel,
        "author": "Tim Redaksi",
        "published_at": f"{when:%Y-%m-%dT%H:%M}:00+07:00",
        "url": record.url,
        "image": {"src": f"/foto/{record.id}.jpg", "caption": caption(record)},
        "tags": ["berita"],
        "body": "\n\n".join(_paragraphs(record)),
    }
    return json.dumps(export, ensure_ascii=False, indent=2)


def pasted_text(record: Record, related: list[Record]) -> str:
    """What a reporter gets by selecting the page and pasting it into a text file."""
    header = f"{record.channel} | {date_line(record)}"
    domain = record.url.split("/")[2].removeprefix("www.")
    lines = [  # where the photo's caption lands depends on where the reader started selecting
        [record.title, header, caption(record)],
        [record.title, header],
        [domain, record.title, caption(record), header],
        [caption(record), record.title, header],
    ][_variant(record, 4)]
    paragraphs = _paragraphs(record)
    if related:
        paragraphs.insert(min(2, len(paragraphs)), f"Baca juga: {related[0].title}")
    return "\n\n".join(lines + paragraphs) + "\n"


def uploads(record: Record, related: list[Record]) -> dict[str, Upload]:
    """The three forms of ``record``, keyed by format."""
    base = f"arsip/{record.archive}/{record.id}"
    return {
        "html": Upload(f"{base}.html", html_page(record, related).encode(), "text/html; charset=utf-8", {}),
        "json": Upload(f"{base}.json", cms_json(record).encode(), "application/json", {}),
        "txt": Upload(f"{base}.txt", pasted_text(record, related).encode(), "text/plain; charset=utf-8", {}),
    }
