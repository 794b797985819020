"""PDF and Word readers fuzzed like the text formats (tests/unit/test_extract_bounds.py): damaged copies of
the fixtures and generated page content must each finish within the CPU budget the ingest batch gives an
object, with no exception but Unindexable (a skip with a reason)."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docsearch.ingest.extract.pages import Box, Page, Span, read_pages
from tests.documents import fixture, pdf
from tests.unit.extraction import extract_within_budget

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PDF_FIXTURES = ["siaran-pers.pdf", "tanpa-metadata.pdf", "terbatas.pdf", "pindaian.pdf"]
DOCX_FIXTURES = ["siaran-pers.docx", "tanpa-metadata.docx"]


def _damaged(data: bytes, draw: st.DrawFn) -> bytes:
    """``data`` with a few bytes overwritten, a slice cut out or repeated, or its tail cut off."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "repeat", "truncate"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        span = draw(st.integers(1, 64))
        if kind == "flip":
            out[at : at + span] = draw(st.binary(min_size=span, max_size=span))
        elif kind == "cut":
            del out[at : at + span]
        elif kind == "repeat":
            out[at:at] = out[at : at + span] * draw(st.integers(2, 200))
        else:
            del out[at:]
    return bytes(out)


@st.composite
def damaged_pdfs(draw: st.DrawFn) -> bytes:
    return _damaged(fixture(draw(st.sampled_from(PDF_FIXTURES))), draw)


@st.composite
def damaged_docx(draw: st.DrawFn) -> bytes:
    return _damaged(fixture(draw(st.sampled_from(DOCX_FIXTURES))), draw)


@st.composite
def damaged_docx_parts(draw: st.DrawFn) -> bytes:
    """A valid zip whose body, styles or core properties are damaged XML."""
    source = zipfile.ZipFile(io.BytesIO(fixture("siaran-pers.docx")))
    victim = draw(st.sampled_from(["word/document.xml", "word/styles.xml", "docProps/core.xml", "_rels/.rels"]))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            target.writestr(item, _damaged(body, draw) if item.filename == victim else body)
    return out.getvalue()


# Page content made of text operators with hostile operands: huge, negative, zero or missing numbers, empty
# and unbalanced strings, nested states, matrices that flip or collapse the page.
OPERAND = st.one_of(
    st.sampled_from(["0", "-1", "1e308", "-99999999", "0.0001", "12", "NaN", "", "[]", "()", "(a-)", "<>"]),
    st.integers(-(10**6), 10**6).map(str),
)
OPERATOR = st.sampled_from(
    ["Td", "TD", "Tm", "cm", "Tf", "Tj", "TJ", "'", "T*", "TL", "Tz", "q", "Q", "BT", "ET", "Tc", "Do"]
)
WORD = st.sampled_from(["banjir", "pemerin-", "tah", "Halaman 1", "Foto:", "JAKARTA -", "(", ")", "\\", "\xe9"])


@st.composite
def hostile_pages(draw: st.DrawFn) -> bytes:
    ops = []
    for _ in range(draw(st.integers(1, 60))):
        operands = " ".join(draw(st.lists(OPERAND, max_size=6)))
        text = draw(st.lists(WORD, max_size=4))
        string = "(" + " ".join(text).replace("(", "").replace(")", "").replace("\\", "") + ")" if text else ""
        ops.append(f"{operands} {string} {draw(OPERATOR)}")
    content = ("BT /F1 11 Tf 50 700 Td " + "\n".join(ops) + " ET").encode("latin-1")
    pages = draw(st.integers(1, 3))
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"3 0 R" for _ in range(pages)), pages),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


@FUZZ
@given(damaged_pdfs())
def test_damaged_pdfs_are_read_or_skipped_within_their_budget(data: bytes) -> None:
    extract_within_budget(data, "a.pdf")


@FUZZ
@given(hostile_pages())
def test_hostile_page_content_is_read_or_skipped_within_its_budget(data: bytes) -> None:
    extract_within_budget(data, "a.pdf")


@FUZZ
@given(damaged_docx())
def test_damaged_word_packages_are_read_or_skipped_within_their_budget(data: bytes) -> None:
    extract_within_budget(data, "a.docx")


@FUZZ
@given(damaged_docx_parts())
def test_damaged_word_parts_are_read_or_skipped_within_their_budget(data: bytes) -> None:
    extract_within_budget(data, "a.docx")


COORDINATE = st.floats(-1e4, 1e4, allow_nan=False)
SPANS = st.lists(
    st.builds(Span, COORDINATE, COORDINATE, st.floats(0.1, 100), st.text(min_size=0, max_size=40)), max_size=300
)
BOXES = st.lists(st.builds(Box, COORDINATE, COORDINATE, COORDINATE, COORDINATE), max_size=5)


@FUZZ
@given(st.lists(st.builds(Page, st.floats(1, 5000), st.floats(1, 5000), SPANS, BOXES), min_size=1, max_size=4))
def test_any_positioned_text_is_laid_out_without_error(pages: list[Page]) -> None:
    """The layout pass takes whatever positions a PDF states (negative, overlapping, off the page)."""
    layout = read_pages(pages)
    drawn = "".join("".join(s.text.split()) for p in pages for s in p.spans)
    laid_out = "".join("".join(paragraph.split()) for paragraph in layout.paragraphs)
    assert len(laid_out) <= len(drawn)  # text is ordered and trimmed, never invented
