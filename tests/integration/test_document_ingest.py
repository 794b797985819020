"""A PDF and a Word file uploaded to the bucket are searchable with their titles; a scan, an encrypted PDF
and an old .doc are skipped, each with its own reason on record."""

import uuid
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.ingest.article import document_id
from docsearch.ingest.batch import ingest_messages
from docsearch.ingest.objects import fetch_object
from docsearch.search.client import SearchClient
from docsearch.search.models import SearchRequest
from docsearch.search.run import search
from docsearch_local.events import s3_notification
from docsearch_local.paths import StackConfig
from tests.documents import fixture

pytestmark = pytest.mark.integration

MB = 2**20
UPLOADS = {  # key name: (fixture, content type as a browser or the CLI would send it)
    "rilis-air.pdf": ("siaran-pers.pdf", "application/pdf"),
    "tenun.docx": ("tanpa-metadata.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pindaian.pdf": ("pindaian.pdf", "application/pdf"),
    "terkunci.pdf": ("terkunci.pdf", "application/pdf"),
    "lama.doc": ("lama.doc", "application/msword"),
}


def _fetch(bucket: str, key: str) -> Any:
    return fetch_object(bucket, key, MB)


def test_a_pdf_and_a_word_file_are_searchable_with_their_titles(
    engine: OpenSearch, reader: SearchClient, index_alias: str, s3: Any, local_stack: StackConfig
) -> None:
    bucket, prefix = local_stack.bucket, f"it-{uuid.uuid4().hex[:8]}"
    for name, (source, content_type) in UPLOADS.items():
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{name}", Body=fixture(source), ContentType=content_type)
    ensure_index(engine, index_alias)

    messages = [(name, s3_notification(bucket, f"{prefix}/{name}")) for name in UPLOADS]
    outcomes = ingest_messages(messages, engine, index_alias, _fetch)
    assert all(outcome.status == "done" for outcome in outcomes.values())
    assert outcomes["rilis-air.pdf"].indexed == 1 and outcomes["tenun.docx"].indexed == 1
    assert {name: outcomes[name].skipped for name in ("pindaian.pdf", "terkunci.pdf", "lama.doc")} == {
        "pindaian.pdf": ["no_text_layer"],
        "terkunci.pdf": ["encrypted"],
        "lama.doc": ["unsupported_format"],
    }
    engine.indices.refresh(index=index_alias)

    pdf_hits = search(reader, index_alias, SearchRequest(q="sumur bor air bersih kupang")).results
    assert [hit.title for hit in pdf_hits] == ["Pemerintah Perluas Program Air Bersih di Nusa Tenggara Timur"]
    word_hits = search(reader, index_alias, SearchRequest(q="festival tenun ikat")).results
    assert [hit.title for hit in word_hits] == ["Festival Tenun Ikat Digelar di Ende"]
    # Reading order and repaired hyphenation reach the index: a phrase across a line end and a column.
    phrase = search(reader, index_alias, SearchRequest(q='"rencana pemerintah untuk menjamin"')).results
    assert [hit.title for hit in phrase] == ["Pemerintah Perluas Program Air Bersih di Nusa Tenggara Timur"]

    stored = engine.get(index=index_alias, id=document_id(bucket, f"{prefix}/rilis-air.pdf"))["_source"]
    assert stored["format"] == "pdf" and stored["author"] == "Biro Komunikasi Kementerian Sumber Daya Air"
    assert stored["published_at"] == "2024-06-20" and stored["dateline"] == "Kupang"
    assert "Halaman" not in stored["body"] and "Siaran Pers Kementerian" not in stored["body"]
    word = engine.get(index=index_alias, id=document_id(bucket, f"{prefix}/tenun.docx"))["_source"]
    assert word["format"] == "docx" and word["dateline"] == "Ende"
    for name, reason in (("pindaian.pdf", "no_text_layer"), ("terkunci.pdf", "encrypted")):
        record = engine.get(index=index_alias, id=document_id(bucket, f"{prefix}/{name}"))["_source"]
        assert record["deleted"] is True and record["skip_reason"] == reason and "body" not in record
