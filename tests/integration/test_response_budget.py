"""No search or document answer exceeds the response budget, whatever the index holds (issue 21).

The documents are written straight into the engine, as an index built before the ingest bounds or a
writer that bypasses ingest would hold them: an 8 MB title, multi-MB bodies, giant names and URLs,
markup in plain-text fields, the highlighter's own private-use marker characters in a title.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.search.budget import RESPONSE_BUDGET_BYTES, TITLE_CHARS
from docsearch_local.gateway import to_http_api_event
from docsearch_local.lambda_context import LocalContext
from functions.search import app

pytestmark = pytest.mark.integration

MB = 1024 * 1024
WORDS = "warga mengungsi karena banjir besar melanda kota "  # 50 characters


def _doc(key: str, title: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "title": title, "body": body, "story": key, **extra}


@pytest.fixture
def giant_index(engine: OpenSearch, index_alias: str, use_functions: Callable[..., Any]) -> Iterator[str]:
    use_functions(index_alias=index_alias)
    ensure_index(engine, index_alias)
    docs = {
        "huge-title": _doc("huge-title.json", "Banjir " + "sangat " * (8 * MB // 7), "Banjir di kota."),
        "huge-body": _doc("huge-body.txt", "Banjir besar", WORDS * (6 * MB // len(WORDS))),
        "huge-word": _doc("huge-word.txt", "Banjir", "banjir " + "x" * (3 * MB)),
        "huge-names": _doc(
            "huge-names.txt",
            "Banjir <b>lagi</b>",
            "Banjir di desa.",
            source="<script>x</script>" + "s" * 20_000,
            author="a" * 20_000,
            url="https://contoh.id/" + "u" * 5_000,
        ),
        "marker-title": _doc("marker-title.txt", "Banjir \ue000 di \ue001\ue001 kota \ue000", "Banjir reda."),
    }
    for doc_id, doc in docs.items():
        engine.index(index=index_alias, id=doc_id, body=doc, params={"request_timeout": 120})
    engine.indices.refresh(index=index_alias)
    yield index_alias


def _get(target: str) -> tuple[int, bytes]:
    event = to_http_api_event("GET", target, {"host": "localhost"}, b"", "127.0.0.1")
    response = app.lambda_handler(event, LocalContext("docsearch-search"))
    return response["statusCode"], response["body"].encode()


def _balanced(html: str) -> bool:
    depth = 0
    for tag in re.findall(r"</?mark>", html):
        depth += 1 if tag == "<mark>" else -1
        if depth not in (0, 1):
            return False
    return depth == 0


@pytest.mark.parametrize("size", [10, 50])
def test_no_search_answer_exceeds_the_budget(giant_index: str, size: int) -> None:
    status, raw = _get(f"/search?q=banjir&size={size}&group=false")
    print(f"\nsearch size={size}: {len(raw):,} bytes")  # the figure docs/reliability-bounds.md quotes (-s)
    assert status == 200
    assert len(raw) <= RESPONSE_BUDGET_BYTES
    body = json.loads(raw)
    assert {hit["id"] for hit in body["results"]} == {
        "huge-title",
        "huge-body",
        "huge-word",
        "huge-names",
        "marker-title",
    }
    for hit in body["results"]:
        assert len(hit["title"]) <= TITLE_CHARS
        assert _balanced(hit["title_html"]) and "<" not in hit["title"]
        assert all(_balanced(snippet) for snippet in hit["snippets"])
        assert hit["source"] is None or ("<" not in hit["source"] and len(hit["source"]) <= 256)
    names = next(hit for hit in body["results"] if hit["id"] == "huge-names")
    assert names["title"] == "Banjir lagi" and names["url"] is None


@pytest.mark.parametrize("doc_id", ["huge-title", "huge-body", "huge-word", "huge-names"])
def test_no_document_answer_exceeds_the_budget(giant_index: str, doc_id: str) -> None:
    status, raw = _get(f"/documents/{doc_id}")
    print(f"\ndocument {doc_id}: {len(raw):,} bytes")
    assert status == 200
    assert len(raw) <= RESPONSE_BUDGET_BYTES
    document = json.loads(raw)
    assert len(document["title"]) <= TITLE_CHARS and "<" not in document["title"]
    assert document["body_truncated"] is (doc_id in ("huge-body", "huge-word"))
    assert document["body"].startswith(("Banjir", "warga", "banjir"))


def test_an_ordinary_search_beside_giants_gets_its_snippets(giant_index: str) -> None:
    status, raw = _get("/search?q=mengungsi&size=10")
    assert status == 200
    [hit] = json.loads(raw)["results"]
    assert hit["id"] == "huge-body" and any("<mark>mengungsi</mark>" in s for s in hit["snippets"])
