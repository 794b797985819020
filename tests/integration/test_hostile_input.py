"""The search API under bad input: fuzzed from its OpenAPI document and by a hand-written hostile list.

The search function runs in-process behind the local HTTP gateway (started here
on a free port), against the real engine, over an index holding documents full
of HTML and script. Nothing may answer 5xx, leak a stack trace or engine text,
or put executable markup into a title or snippet.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings

from docsearch.index.definition import ensure_index
from docsearch.ingest.batch import ingest_messages
from docsearch.ingest.objects import StoredObject
from docsearch_local.events import s3_notification
from docsearch_local.gateway import serve
from docsearch_local.paths import StackConfig
from functions.search.app import app
from tests.support import functions_using

pytestmark = pytest.mark.integration

BUCKET = "hostile-bucket"
TOKEN = "zhostile"  # a word only these documents contain
# Documents as an attacker would upload them: (key, bytes).
HOSTILE_DOCUMENTS = {
    "x/script-title.txt": (
        f"<script>alert('judul')</script> Judul {TOKEN} berbahaya\n"
        f"Isi berita {TOKEN} dengan <img src=x onerror=alert(1)> dan <script>alert(2)</script> serta "
        f'<a href="javascript:alert(3)">tautan</a> &amp; "kutipan" {TOKEN} <svg/onload=alert(4)>.'
    ).encode(),
    "x/page.html": (
        f"<html><head><title>Berita {TOKEN} &lt;b&gt;tebal&lt;/b&gt; <script>x()</script></title></head>"
        f"<body><h1>Berita {TOKEN} <i>miring</i></h1><p>Paragraf {TOKEN} <b onclick=alert(5)>tebal</b> "
        f"&lt;script&gt;alert(6)&lt;/script&gt; {TOKEN}. Warga kota menyampaikan keluhan tentang jalan rusak yang "
        f"belum juga diperbaiki oleh pemerintah daerah setempat.</p><script>document.cookie</script></body></html>"
    ).encode(),
    "x/markdown.md": (
        f"# Judul {TOKEN} <iframe src=//evil></iframe>\n\nTeks {TOKEN} [klik](javascript:alert(7)) "
        f"<style>body{{}}</style> {TOKEN} </mark><mark>palsu</mark>\n"
    ).encode(),
    "x/article.json": json.dumps(
        {"title": f"<b>{TOKEN}</b><script>alert(8)</script>", "body": f"Badan {TOKEN} <object data=x></object>"}
    ).encode(),
}
LEAKS = re.compile(r"Traceback|File \"|opensearchpy|urllib3|TransportError|_exception|\bat org\.|caused_by", re.I)
TAG = re.compile(r"<\s*/?\s*([a-zA-Z][^\s/>]*)")


@pytest.fixture(scope="module")
def api_url(local_stack: StackConfig) -> Iterator[str]:
    """The search function behind the local gateway, reading an index of hostile documents."""
    client = local_stack.engine()
    alias = "test-hostile-" + __import__("uuid").uuid4().hex[:8]
    ensure_index(client, alias)
    messages = [(key, s3_notification(BUCKET, key)) for key in HOSTILE_DOCUMENTS]
    outcomes = ingest_messages(messages, client, alias, fetch=lambda b, k: StoredObject(b, k, HOSTILE_DOCUMENTS[k]))
    assert all(o.status == "done" for o in outcomes.values()), outcomes
    client.indices.refresh(index=alias)
    with functions_using(dataclasses.replace(local_stack.settings(), index_alias=alias)):
        server = serve(0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()
        server.server_close()
    client.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)


def assert_sane(response: requests.Response) -> None:
    """No 5xx, a JSON body, no trace or engine text, errors in the contract's shape."""
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert not LEAKS.search(response.text), response.text[:500]
    if response.request.method == "HEAD":
        return
    body = response.json()
    if response.status_code >= 400:
        assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"], body
    for hit in body.get("results", []) if isinstance(body, dict) else []:
        for snippet in hit["snippets"]:
            assert {tag.lower() for tag in TAG.findall(snippet)} <= {"mark"}, snippet
            stripped = snippet.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in stripped and ">" not in stripped and '"' not in stripped, snippet


# --------------------------------------------------------------------------- hand-written hostile list

SYNTAX = [*'+-=&|><!(){}[]^"~*?:\\/', "&&", "||", "AND", "OR", "NOT", "*:*", "title:x", "a~10", "/.*/", '"']
HOSTILE_QUERIES: list[dict[str, Any]] = [
    {"q": "a" * 10_000},
    {"q": "banjir " * 1_500},
    {"q": "\x00\x01\x02\x1b[31mbanjir\x7f\x08"},
    {"q": "\u202e\u200b\ufeffbanjir\ud7ff"},
    {"q": "<script>alert(1)</script>"},
    {"q": f"{TOKEN} <img src=x onerror=alert(1)>"},
    {"q": "' OR 1=1 --"},
    {"q": "${jndi:ldap://x}"},
    {"q": '{"match_all": {}}'},
    {"q": "\\u0000"},
    *({"q": f"banjir {c} {TOKEN}"} for c in SYNTAX),
    *({"q": c} for c in SYNTAX),
    {"q": "".join(SYNTAX)},
    {"q": '"' * 501},
    {"q": "-" * 50},
    {"q": TOKEN, "page": "0"},
    {"q": TOKEN, "page": "-1"},
    {"q": TOKEN, "page": "1e9"},
    {"q": TOKEN, "page": "99999999999999999999999"},
    {"q": TOKEN, "page": "NaN"},
    {"q": TOKEN, "page": "1.5"},
    {"q": TOKEN, "page": ""},
    {"q": TOKEN, "size": "0"},
    {"q": TOKEN, "size": "-10"},
    {"q": TOKEN, "size": "51"},
    {"q": TOKEN, "size": "1000000000000"},
    {"q": TOKEN, "size": "0x10"},
    {"q": TOKEN, "date_from": "2024-13-45"},
    {"q": TOKEN, "date_from": "'; DROP TABLE"},
    {"q": TOKEN, "date_to": "99999-01-01"},
    {"q": TOKEN, "date_from": "2025-01-01", "date_to": "2000-01-01"},
    {"q": TOKEN, "sort": "random"},
    {"q": TOKEN, "sort": "_score desc; script"},
    {"q": TOKEN, "source": "x" * 5_000},
    {"q": TOKEN, "source": ["a"] * 300},
    {"q": TOKEN, "unknown": "1", "__proto__": "x", "q[]": "y", "script": "ctx._source"},
    {"q": ["banjir", TOKEN]},
    {"q": TOKEN, "page": ["1", "2"]},
    {"q": TOKEN, "size": ["5", "50"]},
    {"q": ""},
    {"q": "   "},
    {},
]


@pytest.mark.parametrize("params", HOSTILE_QUERIES, ids=lambda p: repr(p)[:60])
def test_hostile_search_parameters(api_url: str, params: dict[str, Any]) -> None:
    response = requests.get(f"{api_url}/search", params=params, timeout=30)
    assert_sane(response)


@pytest.mark.parametrize(
    "raw_query",
    ["q=%FF%FE%FD", "q=%C0%AF", "q=banjir%ED%A0%80", "q=%", "q=%%%", "q=%00", "q=a&&&=&q", "q=%E2%82"],
)
def test_invalid_utf8_and_broken_escapes(api_url: str, raw_query: str) -> None:
    assert_sane(requests.get(f"{api_url}/search?{raw_query}", timeout=30))


@pytest.mark.parametrize("path", ["/search", "/health"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"])
def test_wrong_methods_answer_405_with_allow(api_url: str, path: str, method: str) -> None:
    response = requests.request(method, f"{api_url}{path}?q={TOKEN}", data=b"{}", timeout=30)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert_sane(response)


@pytest.mark.parametrize("path", ["/nope", "/search/", "/search%2F..%2Fhealth", "/%2e%2e/etc/passwd", "/SEARCH"])
def test_unknown_paths_answer_json_404(api_url: str, path: str) -> None:
    response = requests.get(f"{api_url}{path}", timeout=30)
    assert response.status_code == 404
    assert_sane(response)


def test_deep_pagination_is_refused(api_url: str) -> None:
    """``page * size`` is bounded: a deep page is a 400, never an expensive (or failing) engine query."""
    for params in ({"page": "1000000", "size": "50"}, {"page": "201", "size": "50"}, {"page": "100001"}):
        response = requests.get(f"{api_url}/search", params={"q": TOKEN, **params}, timeout=30)
        assert response.status_code == 400, (params, response.status_code, response.text[:200])
        assert response.json()["error"]["code"] == "invalid_parameter"


def test_documents_with_html_and_script_never_yield_markup(api_url: str) -> None:
    # Lexical mode: the count is of the documents holding the token (hybrid may add what the model puts near it).
    response = requests.get(f"{api_url}/search", params={"q": TOKEN, "size": 50, "mode": "lexical"}, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == len(HOSTILE_DOCUMENTS)
    assert_sane(response)
    titles = [hit["title"] for hit in body["results"]]
    assert not [title for title in titles if TAG.search(title)], titles
    snippets = [s for hit in body["results"] for s in hit["snippets"]]
    assert any(f"<mark>{TOKEN}</mark>" in s for s in snippets)
    # What the documents said as text stays readable, escaped.
    assert any("&lt;" in s for s in snippets)
    assert all("</mark><mark>palsu" not in s for s in snippets)


def test_head_is_not_allowed_and_sends_no_body(api_url: str) -> None:
    response = requests.head(f"{api_url}/search?q={TOKEN}", timeout=30)
    assert response.status_code == 405
    assert response.content == b""


# --------------------------------------------------------------------------- fuzzing from the OpenAPI document

OPENAPI = json.loads(app.get_openapi_json_schema())
schema = schemathesis.openapi.from_dict(OPENAPI)
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE], allow_x00=True
)


def test_openapi_document_describes_the_search_parameters() -> None:
    params = {p["name"] for p in OPENAPI["paths"]["/search"]["get"]["parameters"]}
    assert {"q", "page", "size", "source", "date_from", "date_to", "sort"} <= params


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzz_from_openapi(case: Any, api_url: str) -> None:
    response = case.call(base_url=api_url, timeout=30)
    assert response.status_code < 500, (case.query, response.status_code, response.text[:300])
    assert not LEAKS.search(response.text), response.text[:500]
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}
