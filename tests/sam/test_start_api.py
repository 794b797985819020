"""`sam local start-api` (warm containers) answers the HTTP contract of docs/API.md on a free port."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from docsearch.ingest.article import document_id
from docsearch_local.processes import http_ok, pid_alive, spawn, stop_pid
from docsearch_local.sam_local import REPO, free_port, sam_command, sam_env
from tests.sam.harness import SamSetup

# the first test also waits for the session: Docker, Lambda's image (built here the first time), the stack
pytestmark = [pytest.mark.sam, pytest.mark.timeout(1500)]
OPENAPI_COPY = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


@pytest.fixture(scope="module")
def api(sam: SamSetup, ingested: dict[str, Any]) -> Iterator[str]:
    port = free_port(("127.0.0.1",))
    # SAM's local API cannot parse the template's conditional (AuthMode) authorizers; locally there is none
    options = ["--host", "127.0.0.1", "--port", str(port), "--warm-containers", "EAGER", "--disable-authorizer"]
    command = sam_command("start-api", sam.env_file, sam.config.region, *options)
    log = sam.config.log("sam-start-api")
    pid = spawn(command, log, env=sam_env(sam.docker.host, sam.config), cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while not http_ok(f"{url}/health", timeout_s=10):
        if not pid_alive(pid) or time.monotonic() > deadline:
            stop_pid(pid)
            pytest.fail(f"sam local start-api did not answer on {url}:\n{log.read_text()[-3000:]}", pytrace=False)
        time.sleep(0.5)
    yield url
    stop_pid(pid, timeout_s=30)


def _json(response: requests.Response) -> Any:
    assert response.headers["Content-Type"].startswith("application/json"), response.text[:200]
    return response.json()


def test_search_and_documents(api: str, sam: SamSetup, ingested: dict[str, Any]) -> None:
    found = requests.get(f"{api}/search", params={"q": "banjir jakarta", "size": 5}, timeout=30)
    assert found.status_code == 200
    results = _json(found)["results"]
    assert {hit["key"] for hit in results} >= set(ingested["keys"])
    doc_id = document_id(sam.config.bucket, ingested["keys"][0])
    document = requests.get(f"{api}/documents/{doc_id}", timeout=30)
    assert document.status_code == 200 and _json(document)["key"] == ingested["keys"][0]


def test_health_and_openapi(api: str) -> None:
    health = requests.get(f"{api}/health", timeout=30)
    assert health.status_code == 200 and _json(health)["engine"] in {"green", "yellow"}
    openapi = requests.get(f"{api}/openapi.json", timeout=30)
    assert openapi.status_code == 200
    assert _json(openapi) == json.loads(OPENAPI_COPY.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/search?q=banjir&size=500", 400, "invalid_parameter"),
        ("GET", "/search", 400, "invalid_parameter"),
        ("GET", "/documents/0000nope", 404, "not_found"),
        ("GET", "/no/such/path", 404, "not_found"),
        ("POST", "/search?q=banjir", 405, "method_not_allowed"),
    ],
)
def test_errors_are_json(api: str, method: str, path: str, status: int, code: str) -> None:
    response = requests.request(method, f"{api}{path}", timeout=30)
    assert response.status_code == status
    assert _json(response)["error"]["code"] == code
