"""The search function's engine client (docsearch.search.client) against a scripted HTTP server on loopback:
what it sends, how it reads answers, and which of the project's errors each failure becomes."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from docsearch.errors import EngineRejected, EngineUnavailable, IndexMissing
from docsearch.search.client import SearchClient, SigV4Signer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Engine:
    """Answers each request with the next scripted reply: (status, JSON body), a pause in seconds, or "drop"
    (the connection closed with no answer); records what it was sent."""

    replies: list[Any]
    seen: list[Seen] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def engine() -> Iterator[Callable[..., Engine]]:
    servers: list[ThreadingHTTPServer] = []

    def start(*replies: Any) -> Engine:
        script = Engine(list(replies))

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                script.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
                reply = script.replies.pop(0)
                if reply == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if isinstance(reply, float):
                    time.sleep(reply)
                    reply = (200, {})
                status, answer = reply
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _reply

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        script.url = f"http://127.0.0.1:{server.server_address[1]}"
        return script

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_search_posts_its_body_as_utf8_json_and_returns_the_answer(engine: Callable[..., Engine]) -> None:
    script = engine((200, {"hits": {"hits": []}, "took": 3}))
    answer = SearchClient(script.url, timeout_s=5).search("berita", {"query": {"match": {"body": "pemilu ñ"}}})

    assert answer == {"hits": {"hits": []}, "took": 3}
    [request] = script.seen
    assert (request.method, request.path) == ("POST", "/berita/_search")
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body.decode("utf-8")) == {"query": {"match": {"body": "pemilu ñ"}}}


def test_a_missing_index_and_a_missing_document_are_answers_not_failures(engine: Callable[..., Engine]) -> None:
    missing = (404, {"error": {"type": "index_not_found_exception", "reason": "no such index [berita]"}})
    script = engine(missing, missing, (404, {"_id": "x", "found": False}), (200, {"_id": "a1", "found": True}))
    client = SearchClient(script.url, timeout_s=5)

    with pytest.raises(IndexMissing):
        client.search("berita", {})
    assert client.get("berita", "x", ["title"]) is None
    assert client.get("berita", "x", ["title"]) is None
    assert client.get("berita", "a1", ["title", "body"]) == {"_id": "a1", "found": True}
    assert script.seen[-1].path == "/berita/_doc/a1?_source_includes=title%2Cbody"


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_an_overloaded_engine_means_retry_later(engine: Callable[..., Engine], status: int) -> None:
    script = engine((status, {"error": {"type": "es_rejected_execution_exception"}}))
    with pytest.raises(EngineUnavailable, match=str(status)):
        SearchClient(script.url, timeout_s=5).search("berita", {})


def test_any_other_refusal_is_rejected_with_its_status_and_error_type(engine: Callable[..., Engine]) -> None:
    script = engine((400, {"error": {"type": "search_phase_execution_exception", "reason": "secret detail"}}))
    with pytest.raises(EngineRejected) as raised:
        SearchClient(script.url, timeout_s=5).search("berita", {})
    assert (raised.value.status, raised.value.reason) == (400, "search_phase_execution_exception")


def test_a_timeout_is_not_retried(engine: Callable[..., Engine]) -> None:
    script = engine(2.0, 2.0)
    started = time.monotonic()
    with pytest.raises(EngineUnavailable, match="in time"):
        SearchClient(script.url, timeout_s=0.3).search("berita", {})
    assert time.monotonic() - started < 1.5
    assert len(script.seen) == 1


def test_a_dropped_connection_is_retried_once(engine: Callable[..., Engine]) -> None:
    script = engine("drop", (200, {"status": "green"}))
    assert SearchClient(script.url, timeout_s=5).cluster_health() == {"status": "green"}
    assert len(script.seen) == 2

    script = engine("drop", "drop")
    with pytest.raises(EngineUnavailable, match="could not be reached"):
        SearchClient(script.url, timeout_s=5).cluster_health()
    assert len(script.seen) == 2


def test_nobody_listening_is_unavailable() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(EngineUnavailable):
        SearchClient(f"http://127.0.0.1:{port}", timeout_s=2).search("berita", {})


def test_requests_to_a_collection_are_signed_for_aoss_with_the_payload_hash(
    engine: Callable[..., Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDMADEUP")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "made-up-secret")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    script = engine((200, {"count": 7}), (200, {"hits": {}}))
    client = SearchClient(script.url, timeout_s=5, signer=SigV4Signer("ap-southeast-3", "aoss"))
    assert client.serverless

    assert client.count("berita") == 7
    client.search("berita", {"query": {"match_all": {}}})
    for request in script.seen:
        authorization = request.headers["Authorization"]
        assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDMADEUP/")
        assert "/ap-southeast-3/aoss/aws4_request" in authorization
        assert "x-amz-content-sha256" in authorization.split("SignedHeaders=")[1]
        assert request.headers["X-Amz-Content-SHA256"] == hashlib.sha256(request.body).hexdigest()
    assert script.seen[1].body  # the search's body was hashed, not an empty payload's


def test_a_domain_client_without_signing_is_not_serverless(engine: Callable[..., Engine]) -> None:
    script = engine((200, {"status": "yellow"}))
    client = SearchClient(script.url, timeout_s=5)
    assert not client.serverless
    assert client.cluster_health() == {"status": "yellow"}
    assert "Authorization" not in script.seen[0].headers


def test_an_https_endpoint_verifies_the_engine_certificate() -> None:
    pool: Any = SearchClient("https://search-docsearch.example.com", timeout_s=5)._pool
    assert pool.scheme == "https" and pool.port == 443
    assert pool.cert_reqs == "CERT_REQUIRED" and pool.ca_certs and pool.ca_certs.endswith(".pem")


def test_an_endpoint_with_a_path_sends_every_request_under_it(engine: Callable[..., Engine]) -> None:
    script = engine((200, {"hits": {}}), (200, {"_id": "a1", "found": True}))
    client = SearchClient(script.url + "/opensearch/", timeout_s=5)
    client.search("berita", {})
    client.get("berita", "a1", ["title"])
    assert [r.path for r in script.seen] == [
        "/opensearch/berita/_search",
        "/opensearch/berita/_doc/a1?_source_includes=title",
    ]
