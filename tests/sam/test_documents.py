"""`sam local invoke` on a PDF, a Word file and a gzip'd text: the ingest function reads them from the layer
in Lambda's container (pypdf and lxml loaded on first use) and the search function finds them by their titles."""

from __future__ import annotations

import gzip
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
GZIPPED = gzip.compress(
    b"Nelayan Sikka Panen Rumput Laut Lebih Awal\n\nKelompok nelayan di pesisir Sikka memanen rumput laut "
    b"dua pekan lebih awal karena cuaca cerah dan arus tenang."
)


def _search(sam: SamSetup, query: str) -> list[dict[str, Any]]:
    event = sam.event("http-search.json")
    # group=false: each result on its own, whatever else in the sam stack's index tells the same story
    params = {"q": query, "group": "false"}
    event["rawQueryString"] = urlencode(params)
    event["queryStringParameters"] = params
    response = sam.invoke("SearchFunction", event)
    assert response["statusCode"] == 200, response
    return list(json.loads(response["body"])["results"])


def test_a_pdf_a_word_file_and_a_gzip_are_indexed_and_found_by_their_titles(
    sam: SamSetup, sam_engine: OpenSearch
) -> None:
    folder = f"rilis/sam-{uuid.uuid4().hex[:8]}"
    keys = {name: f"{folder}/{name}" for name in [*UPLOADS, "kabar.txt.gz"]}
    for name, source in UPLOADS.items():
        s3_client(sam).put_object(Bucket=sam.config.bucket, Key=keys[name], Body=fixture(source))
    s3_client(sam).put_object(Bucket=sam.config.bucket, Key=keys["kabar.txt.gz"], Body=GZIPPED)
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
    assert stored("kabar.txt.gz")["title"] == "Nelayan Sikka Panen Rumput Laut Lebih Awal"
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
    gzip_hits = _search(sam, "rumput laut sikka")
    assert {hit["title"] for hit in gzip_hits if hit["key"] == keys["kabar.txt.gz"]} == {
        "Nelayan Sikka Panen Rumput Laut Lebih Awal"
    }
