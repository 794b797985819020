"""The PDF reader on the committed fixtures (tests/fixtures/documents/generate.py) and on bombs built here:
metadata, reading order, furniture and captions out, hyphenation repaired; every skip with its reason."""

from __future__ import annotations

import gzip
import time

import pytest

from docsearch.ingest.extract import extract_article
from docsearch.ingest.timelimit import extraction_budget_s
from tests.documents import BOMB_BYTES, fixture, page_count_bomb, pdf, stream_bomb
from tests.unit.extraction import skip_reason


def _read(name: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return extract_article(fixture(name), key=f"rilis/{name}", **kwargs)  # type: ignore[arg-type]


def test_title_author_and_date_come_from_the_document_information() -> None:
    article = _read("siaran-pers.pdf")
    assert article.title == "Pemerintah Perluas Program Air Bersih di Nusa Tenggara Timur"
    assert article.author == "Biro Komunikasi Kementerian Sumber Daya Air"
    assert article.published_at == "2024-06-20"
    assert article.format == "pdf"


def test_the_printed_headline_is_not_body_text_and_the_dateline_is_read() -> None:
    article = _read("siaran-pers.pdf")
    assert "Air Bersih di NTT" not in article.body
    assert article.dateline == "Kupang"
    assert article.body.startswith("Kementerian Sumber Daya Air memperluas program air bersih")


def test_words_hyphenated_at_line_ends_are_whole_and_reduplication_keeps_its_hyphen() -> None:
    body = _read("siaran-pers.pdf").body
    assert "rencana pemerintah untuk" in body
    assert "dibangun bersamaan dengan" in body
    assert "Rp 1,2 triliun dari APBN" in body
    assert "berjam-jam" in body


def test_two_columns_are_read_column_by_column() -> None:
    body = _read("siaran-pers.pdf").body
    left = "Di Kabupaten Kupang, sepuluh sumur bor telah selesai dan melayani lebih dari tiga ribu keluarga."
    right = "Tahap kedua menjangkau Sumba Timur dan Belu."
    assert left in body
    assert right in body
    assert body.index(left) < body.index(right)


def test_running_header_page_numbers_and_caption_are_left_out() -> None:
    body = _read("siaran-pers.pdf").body
    assert "Siaran Pers Kementerian" not in body
    assert "Halaman" not in body
    assert "mengambil air dari sumur bor" not in body  # the photo's caption
    assert "Program ini juga mencakup perbaikan embung" in body  # the paragraph after the photo stays


def test_without_document_information_the_largest_line_is_the_title() -> None:
    article = _read("tanpa-metadata.pdf")
    assert article.title == "Festival Tenun Ikat Digelar di Ende"
    assert article.author is None
    assert article.published_at is None
    assert article.body.startswith("Pemerintah kabupaten menggelar festival tenun ikat")


def test_s3_metadata_overrides_the_document_information() -> None:
    article = _read("siaran-pers.pdf", metadata={"title": "Judul Dari Unggahan"})
    assert article.title == "Judul Dari Unggahan"


def test_an_owner_password_alone_does_not_stop_reading() -> None:
    article = _read("terbatas.pdf")
    assert article.title == "Dokumen Terbatas"
    assert "penanganan banjir digelar di Semarang" in article.body


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("pindaian.pdf", "no_text_layer"),
        ("terkunci.pdf", "encrypted"),
        ("rusak.pdf", "invalid_pdf"),
    ],
)
def test_unreadable_pdfs_are_skipped_with_their_own_reason(name: str, reason: str) -> None:
    assert skip_reason(fixture(name), "a.pdf") == reason


def test_a_pdf_is_recognised_by_its_signature_without_extension_or_type() -> None:
    assert extract_article(fixture("tanpa-metadata.pdf"), key="unggahan/berkas").format == "pdf"


def test_a_gzipped_pdf_is_read_as_a_pdf() -> None:
    article = extract_article(gzip.compress(fixture("siaran-pers.pdf")), key="arsip/rilis.pdf.gz")
    assert article.format == "pdf"
    assert article.title == "Pemerintah Perluas Program Air Bersih di Nusa Tenggara Timur"


def test_a_page_count_bomb_stops_at_the_page_cap() -> None:
    started = time.process_time()
    assert skip_reason(page_count_bomb(10_000), "a.pdf") == "too_many_pages"
    assert time.process_time() - started < extraction_budget_s(len(page_count_bomb(10_000)))


def test_a_page_tree_that_understates_its_count_is_counted_by_its_pages() -> None:
    lying = page_count_bomb(10_000).replace(b"/Count 10000", b"/Count 1    ")  # same length: offsets hold
    assert skip_reason(lying, "a.pdf") == "too_many_pages"


def test_a_decompression_bomb_stops_at_the_size_cap() -> None:
    bomb = stream_bomb(BOMB_BYTES)  # 256 MiB of content stream in about 250 KB
    assert len(bomb) < 2**20
    assert skip_reason(bomb, "a.pdf") == "too_large"


def test_a_pdf_of_empty_pages_has_no_text_layer() -> None:
    assert skip_reason(page_count_bomb(3), "a.pdf") == "no_text_layer"


def test_a_placeholder_title_is_not_the_title() -> None:
    content = b"BT /F1 18 Tf 50 760 Td (Banjir Rob di Pekalongan) Tj ET BT /F1 11 Tf 50 700 Td (Isi berita.) Tj ET"
    document = pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Title (Microsoft Word - rilis_final.docx) /Author (Windows User) >>",
        ]
    ).replace(b"/Root 1 0 R", b"/Root 1 0 R /Info 6 0 R")
    article = extract_article(document, key="a.pdf")
    assert article.title == "Banjir Rob di Pekalongan"
    assert article.author is None
