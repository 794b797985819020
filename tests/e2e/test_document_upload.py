"""A PDF and a Word file through the whole local stack (S3, queue, worker, API): each found by its words,
with the title its own metadata gives; a scanned PDF beside them is recorded as a no_text_layer skip."""

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document
from fpdf import FPDF
from opensearchpy import OpenSearch

from docsearch.ingest.article import document_id
from docsearch.ingest.status import key_statuses
from docsearch_local.paths import StackConfig
from tests.documents import fixture
from tests.support import eventually

pytestmark = pytest.mark.e2e


def _pdf(tag: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"Nelayan {tag} Terima Bantuan Kapal")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    for i, line in enumerate(
        [
            f"TEGAL - Kelompok nelayan {tag} menerima bantuan kapal motor dari pemerintah provin-",
            "si untuk memperluas wilayah tangkapan ikan di perairan utara Jawa.",
        ]
    ):
        pdf.set_xy(20, 40 + 6 * i)
        pdf.cell(0, 5, line)
    return bytes(pdf.output())


def _docx(tag: str) -> bytes:
    document = Document()
    document.core_properties.title = f"Koperasi {tag} Buka Gudang Beras"
    document.add_paragraph(
        f"SOLO - Koperasi petani {tag} membuka gudang beras baru untuk menampung hasil panen musim ini."
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_pdf_and_a_word_file_are_found_with_their_titles_and_a_scan_is_a_recorded_skip(
    local_stack: StackConfig, s3: Any, engine: OpenSearch, search_api: Callable[..., Any]
) -> None:
    tag = f"zqdoc{uuid.uuid4().hex[:8]}"
    pdf_key, word_key, scan_key = (f"e2e-docs/{tag}/{name}" for name in ("bantuan.pdf", "gudang.docx", "scan.pdf"))
    s3.put_object(Bucket=local_stack.bucket, Key=scan_key, Body=fixture("pindaian.pdf"))
    s3.put_object(Bucket=local_stack.bucket, Key=pdf_key, Body=_pdf(tag), ContentType="application/pdf")
    s3.put_object(Bucket=local_stack.bucket, Key=word_key, Body=_docx(tag))

    # Exact counts of what the words find (lexical): hybrid mode lists the model's nearest articles after them.
    eventually(lambda: search_api(q=tag, mode="lexical").json()["total"] == 2, "the PDF and the Word file searchable")
    # First, not alone: the stack's bucket and index persist, and earlier runs' PDFs share "nelayan kapal".
    pdf_hit = search_api(q=f"nelayan kapal {tag}", mode="lexical").json()["results"][0]
    assert pdf_hit["key"] == pdf_key and pdf_hit["title"] == f"Nelayan {tag} Terima Bantuan Kapal"
    word_hit = search_api(q=f"gudang beras {tag}", mode="lexical").json()["results"][0]
    assert word_hit["key"] == word_key and word_hit["title"] == f"Koperasi {tag} Buka Gudang Beras"
    stored = engine.get(index=local_stack.index_alias, id=document_id(local_stack.bucket, pdf_key))["_source"]
    assert "pemerintah provinsi untuk memperluas" in stored["body"]  # the line-end hyphen repaired

    def scan_status() -> Any:
        return key_statuses(engine, local_stack.index_alias, local_stack.bucket, [scan_key])[scan_key]

    eventually(lambda: scan_status().state == "skipped", "the scan's skip recorded")
    assert scan_status().reason == "no_text_layer"
