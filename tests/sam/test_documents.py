"""`sam local invoke` on a PDF and a Word file: the ingest function reads both from the layer in Lambda's
container (pypdf and lxml loaded on first use) and the search function finds them by their titles."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from opensearchpy import OpenSearch

from docsearch.ingest.article import document_id
from tests.documents import fixture
from tests.sam.harness import SamSetup, s3_client
from tests.sam.test_invoke import _notification

pytestmark = [pytest.mark.sam, pytest.mark.timeout(1500)]

UPLOADS = {  # key name: fixture
    "rilis-air.pdf": "siaran-pers.pdf",
    "tenun.docx": "tanpa-metadata.docx",
    "pindaian.pdf": "pindaian.pdf",
}


def _search(sam: SamSetup, query: str) -> list[dict[str, Any]]:
    event = sam.event("http-search.json")
    event["rawQueryString"] = urlencode({"q": query})
    event["queryStringParameters"] = {"q": query}
    response = sam.invoke("SearchFunction", event)
    assert response["statusCode"] == 200, response
    return list(json.loads(response["body"])["results"])


def test_a_pdf_and_a_word_file_are_indexed_and_found_by_their_titles(sam: SamSetup, sam_engine: OpenSearch) -> None:
    folder = f"rilis/sam-{uuid.uuid4().hex[:8]}"
    keys = {name: f"{folder}/{name}" for name in UPLOADS}
    for name, source in UPLOADS.items():
        s3_client(sam).put_object(Bucket=sam.config.bucket, Key=keys[name], Body=fixture(source))
    records = [
        _notification(str(uuid.uuid4()), sam.config.bucket, key, f"0066C0000000000{i}")
        for i, key in enumerate(keys.values(), start=1)
    ]
    assert sam.invoke("IngestFunction", {"Records": records}) == {"batchItemFailures": []}
    sam_engine.indices.refresh(index=sam.config.index_alias)

    def stored(name: str) -> dict[str, Any]:
        doc_id = document_id(sam.config.bucket, keys[name])
        return dict(sam_engine.get(index=sam.config.index_alias, id=doc_id)["_source"])

    assert stored("rilis-air.pdf")["format"] == "pdf"
    assert stored("tenun.docx")["format"] == "docx"
    scan = stored("pindaian.pdf")
    assert scan["deleted"] is True and scan["skip_reason"] == "no_text_layer"

    pdf_hits = _search(sam, "sumur bor air bersih kupang")
    assert keys["rilis-air.pdf"] in {hit["key"] for hit in pdf_hits}
    assert {hit["title"] for hit in pdf_hits if hit["key"] == keys["rilis-air.pdf"]} == {
        "Pemerintah Perluas Program Air Bersih di Nusa Tenggara Timur"
    }
    word_hits = _search(sam, "festival tenun ikat ende")
    assert {hit["title"] for hit in word_hits if hit["key"] == keys["tenun.docx"]} == {
        "Festival Tenun Ikat Digelar di Ende"
    }
