"""The deploy's index setup (functions/index_setup, template.yaml IndexSetup) on the real engine.

CloudFormation's side is played by a local HTTP server that receives the answer on its pre-signed
URL, as CloudFormation would; the engine is the local stack's.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from opensearchpy import OpenSearch

from docsearch.engine import build_client
from docsearch.index.definition import versioned_name
from docsearch.index.setup import PROBE_ID
from docsearch_local.paths import StackConfig
from functions.index_setup import app


class Recorder(BaseHTTPRequestHandler):
    """Stands in for CloudFormation's ResponseURL (PUT) and for an engine that refuses everything (403)."""

    received: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def do_GET(self) -> None:
        self._forbidden()

    def do_POST(self) -> None:
        self._forbidden()

    def _forbidden(self) -> None:
        self.received.append((self.path, dict(self.headers), b""))
        body = json.dumps({"message": "User: arn:aws:sts::1:assumed-role/ingest is not authorized"}).encode()
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, dict[str, str], bytes]]]]:
    received: list[tuple[str, dict[str, str], bytes]] = []
    handler = type("Handler", (Recorder,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def alias(engine: OpenSearch) -> Iterator[str]:
    name = f"setup-{uuid.uuid4().hex[:8]}"
    yield name
    engine.indices.delete(index=f"{name}-v*", params={"ignore_unavailable": "true"})


def _event(kind: str, endpoint: str, alias: str, response_url: str = "http://unused", **more: Any) -> dict[str, Any]:
    return {
        "RequestType": kind,
        "ResponseURL": response_url,
        "StackId": "arn:aws:cloudformation:ap-southeast-3:123456789012:stack/news/0a1b2c3d-0000",
        "RequestId": f"req-{uuid.uuid4().hex[:6]}",
        "LogicalResourceId": "IndexSetup",
        "ResourceType": "Custom::ArticlesIndex",
        "ResourceProperties": {"ServiceToken": "arn", "Endpoint": endpoint, "IndexAlias": alias, "IndexReplicas": "0"},
        **more,
    }


def _client(config: StackConfig) -> Any:
    return lambda properties: build_client(config.settings().__class__(opensearch_url=properties["Endpoint"]))


def test_create_twice_update_and_delete_keep_one_index_with_its_documents(
    local_stack: StackConfig, engine: OpenSearch, alias: str, recorder: tuple[str, list[Any]]
) -> None:
    url, received = recorder
    endpoint = local_stack.opensearch_url
    context = SimpleNamespace(get_remaining_time_in_millis=lambda: 300_000)

    app.lambda_handler(_event("Create", endpoint, alias, f"{url}/answer-1"), context)  # type: ignore[arg-type]
    (path, headers, body) = received[-1]
    created = json.loads(body)
    assert path == "/answer-1" and headers.get("Content-Type", "") == ""
    assert created["Status"] == "SUCCESS", created.get("Reason")
    assert created["Data"] == {"Index": versioned_name(alias)}
    assert created["PhysicalResourceId"] == f"{alias}@{endpoint}"
    assert list(engine.indices.get_alias(name=alias)) == [versioned_name(alias)]
    mapping = engine.indices.get_mapping(index=alias)[versioned_name(alias)]["mappings"]
    assert mapping["_meta"]["definition_version"] >= 1  # the definition's index, not an auto-created one

    engine.index(index=alias, id="kept", body={"title": "Banjir di Jakarta"}, params={"refresh": "true"})
    again = app.handle(_event("Create", endpoint, alias), _client(local_stack))
    assert (again["Status"], again["Data"]) == ("SUCCESS", {"Index": versioned_name(alias)})
    physical = again["PhysicalResourceId"]
    updated = app.handle(_event("Update", endpoint, alias, PhysicalResourceId=physical), _client(local_stack))
    assert (updated["Status"], updated["PhysicalResourceId"]) == ("SUCCESS", physical)
    deleted = app.handle(_event("Delete", endpoint, alias, PhysicalResourceId=physical), _client(local_stack))
    assert (deleted["Status"], deleted["PhysicalResourceId"]) == ("SUCCESS", physical)

    assert list(engine.indices.get_alias(name=alias)) == [versioned_name(alias)]  # still one index, still aliased
    engine.indices.refresh(index=alias)
    assert engine.count(index=alias)["count"] == 1  # the document survived; the probe wrote nothing
    assert not engine.exists(index=alias, id=PROBE_ID)


def test_a_refused_call_fails_the_deploy_with_the_reason(
    local_stack: StackConfig, alias: str, recorder: tuple[str, list[Any]]
) -> None:
    url, received = recorder
    waits: list[float] = []
    answer = app.handle(_event("Create", url, alias), _client(local_stack), settle_s=25, sleep=waits.append)
    assert answer["Status"] == "FAILED"
    assert "may not make ingest's engine calls" in answer["Reason"] and "not authorized" in answer["Reason"]
    assert len(answer["Reason"]) <= 1000
    assert waits == [app.RETRY_EVERY_S] * 2  # retried while an access policy could still be applying, then gave up
    assert {path.split("?")[0] for path, _, _ in received} == {f"/_alias/{alias},{alias}-next"}


def test_an_unknown_endpoint_fails_instead_of_hanging(local_stack: StackConfig, alias: str) -> None:
    answer = app.handle(_event("Create", "http://127.0.0.1:9", alias), _client(local_stack), settle_s=0)
    assert answer["Status"] == "FAILED" and "Connection" in answer["Reason"]
