"""The search API over HTTP through the local gateway: OpenAPI, documents, repeated parameters."""

import json
from pathlib import Path

import pytest
import requests

from docsearch_local.paths import StackConfig

pytestmark = pytest.mark.e2e
OPENAPI_COPY = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_openapi_over_http_matches_the_committed_copy(local_stack: StackConfig) -> None:
    response = requests.get(f"{local_stack.api_url}/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.json() == json.loads(OPENAPI_COPY.read_text(encoding="utf-8"))


def test_repeated_source_and_unknown_document_over_http(local_stack: StackConfig) -> None:
    search = requests.get(
        f"{local_stack.api_url}/search", params=[("q", "banjir"), ("source", "a.id"), ("source", "b.id")], timeout=10
    )
    assert search.status_code == 200
    assert all(hit["source"] in {"a.id", "b.id"} for hit in search.json()["results"])
    missing = requests.get(f"{local_stack.api_url}/documents/0000nope", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    deep = requests.get(f"{local_stack.api_url}/search", params={"q": "banjir", "page": 101}, timeout=10)
    assert deep.status_code == 400 and "page * size" in deep.json()["error"]["message"]
