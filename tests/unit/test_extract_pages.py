"""Printed pages to paragraphs (ingest/extract/pages.py) on positioned spans, no PDF library: reading order
across a gutter, running headers and page numbers, captions under images, hyphenation at line ends."""

from __future__ import annotations

from docsearch.ingest.extract.pages import Box, Page, Span, join_lines, read_pages

WIDTH, HEIGHT = 595.0, 842.0


def _page(rows: list[tuple[float, float, str]], size: float = 11, images: list[Box] | None = None) -> Page:
    """A page from (x, y, text) rows in one font size."""
    return Page(WIDTH, HEIGHT, [Span(x, y, size, text) for x, y, text in rows], images or [])


def _column_page(header: str, number: int) -> Page:
    left = ["Di Kupang sepuluh sumur", "bor telah selesai dan", "melayani tiga ribu warga."]
    right = ["Tahap kedua menjangkau", "Sumba Timur dengan dana", "dari APBN dan hibah."]
    rows: list[tuple[float, float, str]] = [(56, 805, header), (290, 30, f"Halaman {number} dari 2")]
    for i, (a, b) in enumerate(zip(left, right, strict=True)):  # written row by row, as some producers do
        rows += [(56, 700 - 14 * i, a), (312, 700 - 14 * i, b)]
    return _page(rows)


def test_two_columns_written_row_by_row_are_read_column_by_column() -> None:
    layout = read_pages([_column_page("Siaran Pers", 1), _column_page("Siaran Pers", 2)])
    first = layout.paragraphs[:2]
    assert first == [
        "Di Kupang sepuluh sumur bor telah selesai dan melayani tiga ribu warga.",
        "Tahap kedua menjangkau Sumba Timur dengan dana dari APBN dan hibah.",
    ]


def test_running_headers_and_page_numbers_are_left_out() -> None:
    text = " ".join(read_pages([_column_page("Siaran Pers", 1), _column_page("Siaran Pers", 2)]).paragraphs)
    assert "Siaran Pers" not in text
    assert "Halaman" not in text


def test_a_top_line_on_one_page_only_is_text() -> None:
    pages = [_page([(56, 800, "Pengumuman Penting"), (56, 700, "Isi halaman pertama.")]), _page([(56, 700, "Isi.")])]
    assert "Pengumuman Penting" in read_pages(pages).paragraphs[0]


def test_a_single_column_page_keeps_its_order() -> None:
    lines = ["Baris pertama yang cukup panjang untuk", "satu kolom penuh di halaman ini dan", "berakhir di sini."]
    page = _page([(56, 700 - 14 * i, line) for i, line in enumerate(lines)])
    assert read_pages([page]).paragraphs == [" ".join(lines)]


def test_a_smaller_line_under_an_image_is_a_caption() -> None:
    photo = Box(56, 400, 280, 540)
    spans = [Span(56, 600, 11, "Paragraf sebelum foto."), Span(56, 388, 8, "Foto: warga mengambil air di Kupang.")]
    spans += [Span(56, 300, 11, "Paragraf sesudah foto.")]
    text = " ".join(read_pages([Page(WIDTH, HEIGHT, spans, [photo])]).paragraphs)
    assert "Foto" not in text
    assert "Paragraf sesudah foto." in text


def test_a_smaller_line_far_from_any_image_stays() -> None:
    spans = [Span(56, 600, 11, "Paragraf utama."), Span(56, 200, 8, "Catatan kecil di bawah.")]
    text = " ".join(read_pages([Page(WIDTH, HEIGHT, spans, [Box(56, 400, 280, 540)])]).paragraphs)
    assert "Catatan kecil di bawah." in text


def test_the_largest_line_of_the_first_page_is_its_heading() -> None:
    spans = [Span(56, 760, 16, "Festival Tenun Ikat"), Span(56, 700, 11, "Isi berita festival.")]
    assert read_pages([Page(WIDTH, HEIGHT, spans)]).heading == "Festival Tenun Ikat"
    assert read_pages([_page([(56, 700, "Semua sama besar.")])]).heading is None


def test_hyphenated_words_are_joined_across_line_ends() -> None:
    assert join_lines(["rencana pemerin-", "tah untuk"]) == "rencana pemerintah untuk"
    assert join_lines(["Rp 1,2 tri-", "liun"]) == "Rp 1,2 triliun"
    assert join_lines(["kata\u00ad", "lanjut"]) == "katalanjut"


def test_hyphens_that_belong_to_the_word_stay() -> None:
    assert join_lines(["waktu berjam-", "jam kini"]) == "waktu berjam-jam kini"
    assert join_lines(["anak-", "anak bermain"]) == "anak-anak bermain"
    assert join_lines(["jalur Jawa-", "Bali dibuka"]) == "jalur Jawa-Bali dibuka"
    assert join_lines(["tahun 2023-", "2024"]) == "tahun 2023-2024"
    assert join_lines(["kata -", "lanjut"]) == "kata - lanjut"


def test_an_empty_page_gives_nothing() -> None:
    layout = read_pages([Page(WIDTH, HEIGHT)])
    assert layout.paragraphs == []
    assert layout.heading is None
