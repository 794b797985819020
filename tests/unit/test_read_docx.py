"""The Word reader on the committed fixtures (tests/fixtures/documents/generate.py) and on a zip bomb built
here: core properties, body without header, footer, captions or text boxes; every skip with its reason."""

from __future__ import annotations

import io
import zipfile

import pytest

from docsearch.ingest.extract import Unindexable, extract_article
from docsearch.ingest.extract.readers.base import ReadLimits
from docsearch.ingest.extract.readers.docx import READER
from tests.documents import BOMB_BYTES, docx_bomb, fixture
from tests.unit.extraction import skip_reason

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _with_body(paragraphs: str) -> bytes:
    """tanpa-metadata.docx with its document.xml's body replaced by ``paragraphs`` (WordprocessingML)."""
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f"<w:body>{paragraphs}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(fixture("tanpa-metadata.docx"))) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = document.encode() if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item, body)
    return out.getvalue()


def _p(text: str, style: str = "") -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{props}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def test_title_author_and_date_come_from_the_core_properties() -> None:
    article = extract_article(fixture("siaran-pers.docx"), key="rilis/siaran-pers.docx")
    assert article.title == "Pemerintah Perluas Program Air Bersih di Nusa Tenggara Timur"
    assert article.author == "Biro Komunikasi Kementerian Sumber Daya Air"
    assert article.published_at == "2024-06-20"
    assert article.format == "docx"


def test_body_without_headline_header_footer_or_caption() -> None:
    article = extract_article(fixture("siaran-pers.docx"), key="a.docx")
    assert article.dateline == "Kupang"
    assert article.body.startswith("Kementerian Sumber Daya Air memperluas program air bersih")
    assert "Air Bersih di NTT" not in article.body  # the Title paragraph
    assert "Siaran Pers Kementerian" not in article.body  # the running header
    assert "Halaman" not in article.body  # the footer's page number
    assert "mengambil air dari sumur bor" not in article.body  # the Caption paragraph
    assert "rencana pemerintah untuk" in article.body  # the soft hyphen is gone
    assert "Rp 1,2 triliun" in article.body
    assert "Sumba Timur" in article.body  # table cells are text


def test_without_core_properties_the_first_heading_is_the_title() -> None:
    article = extract_article(fixture("tanpa-metadata.docx"), key="a.docx")
    assert article.title == "Festival Tenun Ikat Digelar di Ende"
    assert article.author is None
    assert article.published_at is None
    assert article.body.startswith("Pemerintah kabupaten menggelar festival tenun ikat")


def test_text_boxes_and_drawing_fallbacks_are_left_out() -> None:
    box = (
        "<w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent>"
        + _p("Keterangan dalam kotak teks.")
        + "</w:txbxContent></mc:Choice><mc:Fallback>"
        + _p("Salinan cadangan gambar.")
        + "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    data = _with_body(_p("Judul Berita", "Heading1") + _p("Paragraf pertama berita ini.") + box + _p("Penutup."))
    article = extract_article(data, key="a.docx")
    assert article.title == "Judul Berita"
    assert article.body == "Paragraf pertama berita ini.\n\nPenutup."


def test_tabs_and_breaks_inside_a_paragraph() -> None:
    data = _with_body(
        "<w:p><w:r><w:t>Satu</w:t><w:tab/><w:t>dua</w:t><w:br/><w:t>tiga</w:t><w:noBreakHyphen/><w:t>empat</w:t>"
        "</w:r></w:p>"
    )
    assert extract_article(data, key="a.docx", metadata={"title": "T"}).body == "Satu dua\ntiga-empat"


def test_old_binary_word_is_unsupported_with_a_reason_that_says_so() -> None:
    with pytest.raises(Unindexable) as caught:
        extract_article(fixture("lama.doc"), key="arsip/lama.doc")
    assert caught.value.reason == "unsupported_format"
    assert ".docx" in caught.value.detail


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (fixture("rusak.docx"), "invalid_docx"),
        (b"PK\x03\x04 not really a zip", "invalid_docx"),
        (fixture("siaran-pers.pdf"), "invalid_docx"),  # a PDF renamed .docx
    ],
)
def test_broken_packages_are_skipped_as_invalid_docx(data: bytes, reason: str) -> None:
    assert skip_reason(data, "a.docx") == reason


def test_a_password_protected_word_file_is_encrypted() -> None:
    # Word saves a password-protected .docx as an OLE2 container holding the encrypted package.
    assert skip_reason(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504), "a.docx") == "encrypted"


def test_a_package_without_a_body_is_invalid() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("docProps/core.xml", "<x/>")
    assert skip_reason(out.getvalue(), "a.docx") == "invalid_docx"


def test_malformed_xml_in_the_body_is_invalid() -> None:
    assert skip_reason(_with_body("<w:p><w:r><w:t>tidak ditutup"), "a.docx") == "invalid_docx"


def test_entities_are_never_expanded() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "hahahahahahahahahaha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>Awal &c; akhir</w:t></w:r></w:p></w:body></w:document>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(fixture("tanpa-metadata.docx"))) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, laughs.encode() if item.filename == "word/document.xml" else source.read(item))
    try:
        body = extract_article(out.getvalue(), key="a.docx", metadata={"title": "T"}).body
    except Unindexable as skipped:
        assert skipped.reason == "invalid_docx"
    else:
        assert "haha" not in body


def test_a_zip_bomb_stops_at_the_size_cap() -> None:
    bomb = docx_bomb(BOMB_BYTES)  # document.xml of 256 MiB in about 250 KB
    assert len(bomb) < 2**20
    assert skip_reason(bomb, "a.docx") == "too_large"


def test_text_past_the_limit_is_too_large() -> None:
    data = _with_body(_p("kata " * 400))
    with pytest.raises(Unindexable) as caught:
        READER.read(data, "a.docx", ReadLimits(max_bytes=1000))
    assert caught.value.reason == "too_large"
