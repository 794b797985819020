"""The search handler in-process, fed the exact HTTP API v2 events the local gateway builds."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch_local.gateway import to_http_api_event
from docsearch_local.lambda_context import LocalContext
from functions.search import app

pytestmark = pytest.mark.integration
OPENAPI_COPY = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


@pytest.fixture
def api(engine: OpenSearch, index_alias: str, use_functions: Callable[..., Any]) -> Iterator[str]:
    use_functions(index_alias=index_alias)
    ensure_index(engine, index_alias)
    docs = {
        "a1": {"key": "a.txt", "title": "Banjir di Jakarta", "body": "Banjir <b>besar</b> & hujan.", "source": "a.id"},
        "b1": {"key": "b.txt", "title": "Banjir di Bekasi", "body": "Banjir lagi.", "source": "b.id"},
        "c1": {"key": "c.txt", "title": "Banjir di Bogor", "body": "Banjir juga.", "source": "c.id"},
    }
    for doc_id, doc in docs.items():
        engine.index(index=index_alias, id=doc_id, body={**doc, "source_key": doc["source"], "story": doc_id})
    engine.indices.refresh(index=index_alias)
    yield index_alias


def _get(target: str) -> tuple[int, dict[str, str], Any]:
    event = to_http_api_event("GET", target, {"host": "localhost"}, b"", "127.0.0.1")
    response = app.lambda_handler(event, LocalContext("docsearch-search"))
    return response["statusCode"], response.get("headers") or {}, json.loads(response["body"])


def test_repeated_source_filters_by_each(api: str) -> None:
    status, _, body = _get("/search?q=banjir&source=a.id&source=b.id")
    assert status == 200
    assert {hit["source"] for hit in body["results"]} == {"a.id", "b.id"}
    assert len(body["facets"]["source"]) == 3
    _, _, single = _get("/search?q=banjir&source=c.id")
    assert [hit["id"] for hit in single["results"]] == ["c1"]


def test_results_carry_escaped_snippets_and_title_html(api: str) -> None:
    _, _, body = _get("/search?q=besar&size=1")
    [hit] = body["results"]
    assert hit["snippets"] == ["Banjir &lt;b&gt;<mark>besar</mark>&lt;/b&gt; &amp; hujan."]
    assert hit["title_html"] == "Banjir di Jakarta"


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("/search", "q"),
        ("/search?q=%20%20", "q"),
        ("/search?q=" + "a" * 501, "q"),
        ("/search?q=x&size=51", "size"),
        ("/search?q=x&page=0", "page"),
        ("/search?q=x&page=abc", "page"),
        ("/search?q=x&page=21&size=50", "page * size"),
        ("/search?q=x&date_from=2024-02-30", "date_from"),
        ("/search?q=x&date_from=2024-05-02&date_to=2024-05-01", "date_from"),
        ("/search?q=x&sort=popular", "sort"),
    ],
)
def test_bad_parameters_are_400_with_a_clear_message(api: str, target: str, fragment: str) -> None:
    status, _, body = _get(target)
    assert status == 400
    assert body["error"]["code"] == "invalid_parameter" and fragment in body["error"]["message"]


def test_documents(api: str) -> None:
    status, _, body = _get("/documents/a1")
    assert status == 200
    assert body["id"] == "a1" and body["key"] == "a.txt" and body["body"].startswith("Banjir <b>")
    assert set(body) >= {"id", "key", "title", "source", "published_at", "author", "body", "indexed_at"}
    for target in ("/documents/nope", "/documents/%2e%2e%2f_search"):
        status, _, body = _get(target)
        assert status == 404 and body["error"]["code"] == "not_found"


def test_openapi_is_published_and_matches_the_committed_copy(api: str) -> None:
    status, _, live = _get("/openapi.json")
    assert status == 200
    assert set(live["paths"]) >= {"/search", "/documents/{doc_id}", "/health"}
    committed = json.loads(OPENAPI_COPY.read_text(encoding="utf-8"))
    assert live == committed, "run `make openapi` and commit docs/openapi.json"


def test_engine_down_is_503_with_retry_after(use_functions: Callable[..., Any]) -> None:
    use_functions(opensearch_url="http://127.0.0.1:9")  # nothing listens on the discard port
    for target in ("/search?q=banjir", "/documents/abc", "/health"):
        status, headers, body = _get(target)
        assert status == 503 and headers.get("Retry-After"), target
        assert body["error"]["code"] == "engine_unavailable"
