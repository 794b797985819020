"""Bytes -> article for every format, charset and metadata source; bad files raise Unindexable."""

import json
from pathlib import Path

import pytest

from docsearch.ingest.extract import Unindexable, detect_format, extract_article

QUOTED = "Menteri berkata, “Kami siap” — lalu pergi; café ‘tutup’."


def test_first_line_is_title_and_metadata_overrides() -> None:
    article = extract_article("\ufeffJudul Berita\n\nIsi berita pertama.\nIsi kedua.".encode(), {"source": "contoh.id"})
    assert article.title == "Judul Berita"
    assert article.body == "Isi berita pertama.\nIsi kedua."
    assert article.source == "contoh.id"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_charsets_give_the_same_characters(encoding: str) -> None:
    data = f"Judul Uji Karakter\n{QUOTED}".encode(encoding)
    assert extract_article(data, key="a.txt").body == QUOTED


def test_latin1_nfc_entities_and_mojibake() -> None:
    assert extract_article("Judul\nKafe di Bogor ramai.".encode("latin-1")).body == "Kafe di Bogor ramai."
    assert extract_article("Judul\nCafe\u0301 ramai".encode()).body == "Caf\u00e9 ramai"  # NFC
    assert (
        extract_article(b"Judul\nHarga &quot;naik&quot; &amp; stok &mdash; aman").body == 'Harga "naik" & stok — aman'
    )
    # UTF-8 read as Windows-1252 upstream (as browsers do: undefined bytes pass through), then saved as UTF-8
    double = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in QUOTED.encode()).encode()
    assert extract_article(b"Judul\n" + double).body == QUOTED


@pytest.mark.parametrize(
    ("key", "content_type", "fmt"),
    [
        ("a/berita.txt", "", "txt"),
        ("a/berita.MD", "application/octet-stream", "md"),
        ("a/berita.htm", "", "html"),
        ("a/berita.json", "text/plain", "json"),
        ("a/berita", "text/html; charset=utf-8", "html"),
        ("a/berita", "text/markdown", "md"),
    ],
)
def test_format_from_extension_then_content_type(key: str, content_type: str, fmt: str) -> None:
    assert detect_format(key, content_type) == fmt


@pytest.mark.parametrize(("key", "content_type"), [("a/b.xlsx", ""), ("a/b.pptx", "binary/octet-stream"), ("a/b", "")])
def test_unsupported_formats_are_skipped_with_a_reason(key: str, content_type: str) -> None:
    with pytest.raises(Unindexable) as raised:
        extract_article(b"Judul\nIsi", key=key, content_type=content_type)
    assert raised.value.reason == "unsupported_format"


@pytest.mark.parametrize(
    ("data", "key", "reason"),
    [
        (b"", "a.txt", "empty"),
        (b"  \n\t\n", "a.txt", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "foto.txt", "binary"),
        (b"%PDF-1.7 binary", "a.md", "binary"),
        (b"\xff\xfe\x00\x00binary", "a.txt", "binary"),
        (b"Judul\x00\x01\x02\x03", "a.txt", "binary"),
        (b'{"title": "Judul", "body": ', "a.json", "invalid_json"),
        (b'["title", "body"]', "a.json", "invalid_json"),
        (b'{"title": "Judul"}', "a.json", "invalid_json"),
        (b'{"title": "", "body": "Isi"}', "a.json", "invalid_json"),
        (
            b"<html><body><nav><a href='/'>Beranda</a> <a href='/n'>Nasional</a></nav></body></html>",
            "a.html",
            "no_article_text",
        ),
        (b"Baca Juga: Judul Lain\nTulis komentar anda\n(ahm)", "a.txt", "no_article_text"),
    ],
)
def test_bad_files_are_unindexable_with_their_reason(data: bytes, key: str, reason: str) -> None:
    with pytest.raises(Unindexable) as raised:
        extract_article(data, key=key)
    assert raised.value.reason == reason


def test_json_fields_and_body_cleaning() -> None:
    data = json.dumps(
        {
            "title": "Harga Gabah Naik &amp; Petani Senang",
            "body": "PALU, kabartengah.id — Harga gabah kering naik di tingkat petani pekan ini.\n\n"
            "Baca Juga: Resep Kue Lapis Legit\n\n"
            "Petani berharap harga bertahan hingga musim tanam.\n\nEditor: Sri Wahyuni",
            "published_at": "2024-07-02T09:00:00+08:00",
            "author": "Rudi Hartono",
            "url": "https://kabartengah.id/a",
        }
    ).encode()
    article = extract_article(data, key="impor/gabah.json")
    assert article.title == "Harga Gabah Naik & Petani Senang"
    assert (
        article.body
        == "Harga gabah kering naik di tingkat petani pekan ini.\n\nPetani berharap harga bertahan hingga musim tanam."
    )
    assert (article.author, article.editor, article.published_at) == ("Rudi Hartono", "Sri Wahyuni", "2024-07-02")
    assert (article.source, article.dateline, article.url, article.format) == (
        "kabartengah.id",
        "Palu",
        "https://kabartengah.id/a",
        "json",
    )


def test_markdown_heading_meta_and_syntax() -> None:
    text = (
        "# Sekolah Rakyat Dibuka di **Tiga** Kota\n\n**Penulis:** Ani Lestari\n"
        "**Tanggal:** Selasa, 11 Mar 2025 09:20 WIB\n\n"
        "Pemerintah membuka [sekolah rakyat](https://contoh.id/s) di tiga kota mulai bulan ini.\n\n"
        "**Baca Juga:** [Resep Soto](https://contoh.id/soto)\n\n---\n*Artikel ini telah tayang di contoh.id.*"
    )
    article = extract_article(text.encode(), key="md/sekolah.md")
    assert article.title == "Sekolah Rakyat Dibuka di Tiga Kota"
    assert article.body == "Pemerintah membuka sekolah rakyat di tiga kota mulai bulan ini."
    assert (article.author, article.published_at, article.source) == ("Ani Lestari", "2025-03-11", None)


HTML = (Path(__file__).parent.parent / "fixtures" / "articles" / "jembatan.html").read_text(encoding="utf-8")


def test_html_main_text_title_and_meta() -> None:
    article = extract_article(HTML.encode("cp1252"), key="web/jembatan.html")
    assert article.title == "Jembatan Baru Diresmikan di Kota Tepian"
    assert (article.source, article.author, article.published_at) == ("Kabartepian", "Lina Marpaung", "2024-08-17")
    assert article.url == "https://kabartepian.id/jembatan" and article.dateline == "Samarinda"
    assert article.body.startswith("Jembatan sepanjang 400 meter")
    assert "“Anak sekolah tidak perlu lagi naik perahu,”" in article.body
    for junk in (
        "Beranda",
        "Otomotif",
        "Bitcoin",
        "Zodiak",
        "kripto",
        "color",
        "Hak cipta",
        "Dok. Pemkot",
        "Jembatan Baru",
    ):
        assert junk not in article.body, junk


def test_html_title_without_og_loses_its_site_suffix() -> None:
    page = HTML.replace('<meta property="og:site_name" content="KabarTepian">', "").replace(
        "<h1>Jembatan Baru Diresmikan di Kota Tepian</h1>", ""
    )
    assert extract_article(page.encode(), key="web/j.html").title == "Jembatan Baru Diresmikan di Kota Tepian"


def test_header_block_bylines_datelines_and_sources() -> None:
    text = (
        "kabarselatan.id | Internasional\nDunia\nPyongyang Uji Rudal Baru, Tetangga Waspada\n"
        "KAMIS, 20 JUNI 2024 | 11:34 WIB | LAPORAN: SITI AMINAH\nFoto/AP\n\n"
        "PYONGYANG - Korea Utara kembali menguji rudal jarak menengah pada Kamis pagi waktu setempat.\n"
    )
    article = extract_article(text.encode(), key="arsip/rudal.txt")
    assert article.title == "Pyongyang Uji Rudal Baru, Tetangga Waspada"
    assert (article.author, article.published_at, article.dateline) == ("Siti Aminah", "2024-06-20", "Pyongyang")
    assert article.source == "kabarselatan.id"
    assert article.body == "Korea Utara kembali menguji rudal jarak menengah pada Kamis pagi waktu setempat."

    kompas = extract_article(
        b"Judul Uji Coba Dateline\n20/6/2024\nEditor: Bayu Aji\n"
        b"JAKARTA, KOMPAS.com - Isi berita ini cukup panjang untuk prosa.",
        key="x/y.txt",
    )
    assert (kompas.source, kompas.dateline, kompas.published_at, kompas.editor) == (
        "Kompas.com",  # one display name per outlet (outlets.py)
        "Jakarta",
        "2024-06-20",
        "Bayu Aji",
    )
    # A key's folder is a source only when configured so (SOURCE_PREFIXES).
    assert (
        extract_article(b"Judul\nIsi berita.", key="tempo/2024/a.txt", source_folders=("tempo",)).source == "Tempo.co"
    )
    assert extract_article(b"Judul\nIsi berita.", key="berita/2024/a.txt", source_folders=("tempo",)).source is None


def test_s3_metadata_overrides_extraction() -> None:
    text = b"Judul Asli Dari Teks\nKamis, 20 Juni 2024 - 19:19 WIB\nPenulis: Budi\n\nIsi berita yang panjang di sini."
    meta = {"title": "Judul Dari Metadata", "source": "arsip", "author": "Tim Redaksi", "published-at": "1/7/2024"}
    article = extract_article(text, meta, key="a/b.txt")
    assert (article.title, article.source, article.author, article.published_at) == (
        "Judul Dari Metadata",
        "Arsip",
        "Tim Redaksi",
        "2024-07-01",
    )


def test_long_first_line_gives_its_first_sentence_as_title() -> None:
    lead = (
        "Harga Cabai Melonjak. "
        + "Pedagang di pasar tradisional mengeluhkan kenaikan harga cabai rawit yang terjadi sejak awal pekan ini. " * 2
    )
    article = extract_article(lead.encode(), key="a.txt")
    assert article.title == "Harga Cabai Melonjak"
    assert article.body.startswith("Harga Cabai Melonjak. Pedagang")


def test_canonical_address_prefers_the_canonical_link_and_keeps_only_web_addresses() -> None:
    body = "<p>" + "Warga kota memadati alun-alun untuk menyaksikan pesta kembang api tahun baru. " * 3 + "</p>"

    def page(head: str) -> bytes:
        html = f"<html><head><title>Pesta Kembang Api</title>{head}</head><body><article>{body}</article></body></html>"
        return html.encode()

    og = '<meta property="og:url" content="https://m.kabar.id/a">'
    assert (
        extract_article(page(og + '<link rel="canonical" href="https://kabar.id/a">'), key="a.html").url
        == "https://kabar.id/a"
    )
    assert extract_article(page(og + '<link rel="canonical" href="/b">'), key="a.html").url == "https://m.kabar.id/b"
    assert extract_article(page('<link rel="canonical" href="javascript:alert(1)">'), key="a.html").url is None
    meta = {"url": "https://kabar.id/dari-metadata"}
    assert extract_article(page(og), meta, key="a.html").url == "https://kabar.id/dari-metadata"
    assert extract_article(page(og), {"url": "data:text/html,x"}, key="a.html").url == "https://m.kabar.id/a"
