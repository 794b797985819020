"""Dates, outlets and headlines of real uploads (issue 20), on fixtures written in the shape of the outlets'
own pages: a detik page with ``publishdate``, a CNBC Indonesia page with JSON-LD, pasted text with a
"Channel | Hari, dd Mmm yyyy HH:MM WIB" line and photo captions around the headline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from docsearch.ingest.extract import extract_article

BODY = (
    "<p>Rektor Universitas 17 Agustus 1945 Surabaya menyampaikan bahwa kampusnya siap membantu pemerintah "
    "daerah mengendalikan harga pangan, Senin (20/10).</p>"
    "<p>Tokoh yang lahir pada 3 Maret 1897 itu menjadi nama gedung utama kampus sejak lama, kata dia "
    "kepada wartawan di Surabaya.</p>"
    "<p>Pemerintah provinsi menargetkan inflasi tahunan tetap berada di kisaran dua persen hingga akhir "
    "tahun ini, menurut keterangan resmi yang diterima redaksi.</p>"
)
DATE_LINE_DIV = '<div class="detail__date">Selasa, 21 Okt 2025 20:43 WIB</div>'


def _page(head: str, *, site: str = "detiknews", url: str = "https://news.detik.com/berita/d-1/kampus-siap") -> bytes:
    return f"""<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">
<title>Kampus Siap Bantu Kendalikan Harga Pangan</title>{head}
<meta property="og:site_name" content="{site}"><meta property="og:url" content="{url}">
<meta property="og:title" content="Kampus Siap Bantu Kendalikan Harga Pangan"></head>
<body><nav><a href="/">Home</a> <a href="/berita">Berita</a></nav><article>
<h1 class="detail__title">Kampus Siap Bantu Kendalikan Harga Pangan</h1>
<div class="detail__author">Tim Redaksi - detikNews</div>{DATE_LINE_DIV if "date-line" in head else ""}
<figure><img src="/a.jpg"><figcaption>Rektor di Surabaya, Senin (20/10/2025). Foto: Dok. Istimewa</figcaption>
</figure><div class="detail__body-text">{BODY}</div></article>
<aside><h2>Terpopuler</h2><ol><li><a href="/x">Berita Lain</a> <span>Kamis, 17 Agu 1995 10:00 WIB</span></li></ol>
</aside><footer>Copyright 2025 detikcom</footer></body></html>""".encode()


@pytest.mark.parametrize(
    ("head", "source"),
    [
        ('<meta name="publishdate" content="2025/10/21 20:43:00">', "meta-tag"),
        ('<meta property="article:published_time" content="2025-10-21T20:43:00+07:00">', "meta-tag"),
        ('<meta name="parsely-pub-date" content="2025-10-21T13:43:00Z">', "meta-tag"),
        (
            '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": '
            '"NewsArticle", "headline": "Kampus", "datePublished": "2025-10-21T20:43:00+07:00"}]}</script>',
            "json-ld",
        ),
        ("<!-- date-line -->", "date-line"),
    ],
)
def test_a_page_is_dated_by_its_own_metadata_never_by_a_date_in_the_body(head: str, source: str) -> None:
    article = extract_article(_page(head), key="arsip/a.html", content_type="text/html")
    assert (article.published_at, article.date_source) == ("2025-10-21", source)


def test_a_page_without_a_publication_date_is_undated_not_1945() -> None:
    article = extract_article(_page(""), key="arsip/a.html", content_type="text/html")
    assert (article.published_at, article.date_source) == (None, None)


def test_a_time_element_in_the_article_dates_it_one_in_a_sidebar_does_not() -> None:
    page = _page("").replace(b"<h1 ", b'<time datetime="2025-10-21T20:43:00+07:00">21/10</time><h1 ')
    assert extract_article(page, key="a.html").date_source == "time-element"
    sidebar = _page("").replace(b"<aside>", b'<aside><time datetime="2025-10-19">19/10</time>')
    assert extract_article(sidebar, key="a.html").published_at is None


def test_dates_after_the_upload_or_from_text_before_1990_are_refused() -> None:
    future = (datetime.now(UTC) + timedelta(days=3)).date()
    page = _page(f'<meta name="publishdate" content="{future:%Y/%m/%d} 10:00:00">')
    assert extract_article(page, key="a.html").published_at is None
    text = "Kampus Siap Bantu\ndetikNews | Senin, 17 Agu 1945 10:00 WIB\n\nRektor menyampaikan kesiapan kampus."
    assert extract_article(text.encode(), key="a.txt").published_at is None
    typo = "Kampus Siap Bantu\ndetikNews | Senin, 20 Okt 3025 10:00 WIB\n\nRektor menyampaikan kesiapan kampus."
    assert extract_article(typo.encode(), key="a.txt").published_at is None


@pytest.mark.parametrize("mark", ["?", "!", "...", "'"])
def test_a_headline_ending_in_a_question_or_exclamation_keeps_its_date_line(mark: str) -> None:
    text = (
        f"Kapan Harga Cabai di Pasar Induk Kembali Turun{mark}\n"
        "detikJabar | Selasa, 21 Okt 2025 20:43 WIB\n\n"
        "Harga cabai rawit di Pasar Induk Caringin masih bertahan tinggi sejak awal pekan ini, kata pedagang.\n"
    )
    article = extract_article(text.encode(), key="arsip/a.txt")
    assert article.title == f"Kapan Harga Cabai di Pasar Induk Kembali Turun{mark}"
    assert (article.published_at, article.date_source, article.source) == ("2025-10-21", "date-line", "detikJabar")


LEAD = "Di Washington, Menteri Luar Negeri AS mengatakan kunjungan itu menyoroti upaya Rusia mencari sekutu baru."
CAPTION = "Pemimpin kedua negara usai menandatangani pakta kerja sama di Pyongyang, Rabu (19/6/2024). FOTO: AFP"


@pytest.mark.parametrize(
    "lines",
    [
        ["kabarpagi.id", "Dua Negara Teken Pakta Pertahanan, AS Waspada", CAPTION, LEAD],
        ["Dua Negara Teken Pakta Pertahanan, AS Waspada", CAPTION, LEAD],
        [CAPTION, "Dua Negara Teken Pakta Pertahanan, AS Waspada", "Kamis, 20 Juni 2024 11:34 WIB", LEAD],
        [
            "Dua Negara Teken Pakta Pertahanan, AS Waspada",
            "CNBC Indonesia | Kamis, 20 Jun 2024 11:34 WIB",
            "Pemimpin kedua negara di Pyongyang, Rabu (19/6/2024). (ANTARA FOTO/Hafidz Mubarak A)",
            LEAD,
        ],
    ],
)
def test_a_photo_caption_around_the_headline_is_never_the_headline(lines: list[str]) -> None:
    article = extract_article("\n\n".join(lines).encode(), key="arsip/pakta.txt")
    assert article.title == "Dua Negara Teken Pakta Pertahanan, AS Waspada"
    assert article.published_at != "2024-06-19"  # the caption's day is not the publication's


@pytest.mark.parametrize(
    ("site", "url", "shown"),
    [
        ("detiknews", "https://news.detik.com/berita/d-1/x", "detikNews"),
        ("detikcom", "https://www.detik.com/jabar/berita/d-2/y", "detikJabar"),
        ("detikjabar", "https://www.detik.com/jabar/berita/d-2/y", "detikJabar"),
        ("CNBC Indonesia", "https://www.cnbcindonesia.com/news/2024/z", "CNBC Indonesia"),
        ("cnbcindonesia", "https://www.cnbcindonesia.com/news/2024/z", "CNBC Indonesia"),
    ],
)
def test_an_outlet_is_shown_as_the_newsroom_names_it(site: str, url: str, shown: str) -> None:
    page = _page('<meta name="publishdate" content="2025/10/21 20:43:00">', site=site, url=url)
    assert extract_article(page, key="a.html").source == shown


def test_the_outlet_comes_from_the_address_when_the_page_names_none() -> None:
    page = _page("", site="", url="https://www.detik.com/sumut/berita/d-3/z").replace(
        b'<meta property="og:site_name" content="">', b""
    )
    assert extract_article(page, key="a.html").source == "detikSumut"


def test_the_outlet_comes_from_the_header_line_of_pasted_text() -> None:
    text = (
        "Harga Emas Naik Lagi\nCNBC Indonesia | Senin, 09 Sep 2024 19:30 WIB\n\nHarga emas dunia naik tajam hari ini."
    )
    article = extract_article(text.encode(), key="a.txt")
    assert (article.source, article.author) == ("CNBC Indonesia", None)


def test_a_cms_export_keeps_its_brand_casing_and_date_field() -> None:
    export = {"title": "Harga Emas Naik", "body": "Harga emas dunia naik tajam hari ini.", "source": "detikFinance"}
    article = extract_article(json.dumps({**export, "date": "2025-10-21 20:43:00"}).encode(), key="a.json")
    assert (article.source, article.published_at, article.date_source) == ("detikFinance", "2025-10-21", "json")


def test_s3_metadata_dates_and_names_files_that_carry_none() -> None:
    text = b"Harga Emas Naik\n\nHarga emas dunia naik tajam hari ini menurut data pasar."
    article = extract_article(text, {"source": "detikNews", "date": "2025-10-21"}, key="a.txt")
    assert (article.source, article.published_at, article.date_source) == ("detikNews", "2025-10-21", "s3-metadata")


def test_the_pages_own_headline_is_kept_whole() -> None:
    title = "Harga CPO Sebulan Terbang 7%, Saham AALI - TAPG Full Senyum!"
    page = _page("", site="CNBC Indonesia").replace(b"Kampus Siap Bantu Kendalikan Harga Pangan", title.encode())
    assert extract_article(page, key="a.html").title == title


def test_a_verse_scraped_as_latin1_is_repaired_not_refused_as_binary() -> None:
    """Arabic in UTF-8 read as Latin-1 upstream ("Ù\\x84Ù\\x8e…": C1 controls), next to characters Windows-1252
    cannot hold (so the text cannot be repaired as a whole): each run is decoded back."""
    verse = "بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ"
    scraped = verse.encode("utf-8").decode("latin-1")
    lead = "Islam mengatur utang dengan jelas → seperti tertulis dalam Al-Qur'an:"
    rest = "Ayat itu dibacakan sebelum akad utang dimulai, kata pengasuh pondok pesantren kepada wartawan."
    header = "Hukum Utang dalam Islam\ndetikHikmah | Senin, 20 Okt 2025 10:00 WIB"
    text = f"{header}\n\n{lead} {scraped}. Demikian bunyinya.\n\n{rest}\n"
    article = extract_article(text.encode(), key="a.txt")
    assert verse in article.body and "\x8e" not in article.body
    assert article.source == "detikHikmah"
