"""Bulk writes through a fault-injecting proxy in front of the real engine: 429s and timeouts, then success."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.ingest.bulk import write_bulk
from docsearch_local.paths import StackConfig

pytestmark = pytest.mark.integration
REQUEST_TIMEOUT_S = 1.0


class Faults:
    """What the proxy does to each successive ``_bulk`` request: "429", "slow", or "pass"."""

    def __init__(self) -> None:
        self.plan: list[str] = []
        self.seen: list[str] = []


@pytest.fixture
def proxy(local_stack: StackConfig) -> Iterator[tuple[str, Faults]]:
    faults = Faults()
    upstream = local_stack.opensearch_url

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if "_bulk" in self.path:
                fault = faults.plan.pop(0) if faults.plan else "pass"
                faults.seen.append(fault)
                if fault == "429":
                    return self._answer(429, b'{"error":{"type":"es_rejected_execution_exception"},"status":429}')
                if fault == "slow":
                    time.sleep(REQUEST_TIMEOUT_S * 2)
                    return self._answer(504, b"{}")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "content-length"}}
            request = urllib.request.Request(upstream + self.path, data=body or None, method=self.command)
            for name, value in headers.items():
                request.add_header(name, value)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    self._answer(response.status, response.read(), response.headers.get("Content-Type"))
            except urllib.error.HTTPError as error:
                self._answer(error.code, error.read(), error.headers.get("Content-Type"))

        def _answer(self, status: int, data: bytes, content_type: str | None = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type or "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", faults
    server.shutdown()
    server.server_close()


def _ops(alias: str, n: int) -> list[dict[str, Any]]:
    return [
        {"_op_type": "index", "_index": alias, "_id": f"p{i}", "_source": {"key": f"p/{i}.txt", "title": f"t{i}"}}
        for i in range(n)
    ]


def test_throttled_and_timed_out_bulk_requests_are_retried_until_indexed(
    proxy: tuple[str, Faults], engine: OpenSearch, index_alias: str
) -> None:
    url, faults = proxy
    ensure_index(engine, index_alias)
    client = OpenSearch(hosts=[url], timeout=REQUEST_TIMEOUT_S, max_retries=0)
    faults.plan = ["429", "slow", "429"]
    results = write_bulk(client, _ops(index_alias, 5), deadline=time.monotonic() + 40)
    assert faults.seen == ["429", "slow", "429", "pass"]
    assert all(r.ok for r in results) and [r.attempts for r in results] == [4] * 5
    engine.indices.refresh(index=index_alias)
    assert engine.count(index=index_alias)["count"] == 5


def test_throttling_beyond_the_time_budget_fails_items_and_writes_nothing(
    proxy: tuple[str, Faults], engine: OpenSearch, index_alias: str
) -> None:
    url, faults = proxy
    ensure_index(engine, index_alias)
    client = OpenSearch(hosts=[url], timeout=REQUEST_TIMEOUT_S, max_retries=0)
    faults.plan = ["429"] * 50
    started = time.monotonic()
    results = write_bulk(client, _ops(index_alias, 3), deadline=started + 3)
    assert time.monotonic() - started < 4  # stopped within the budget
    assert not any(r.ok for r in results)
    assert all("429" in r.error for r in results)
    engine.indices.refresh(index=index_alias)
    assert engine.count(index=index_alias)["count"] == 0


def test_real_item_failures_are_reported_as_failures(engine: OpenSearch, index_alias: str) -> None:
    ensure_index(engine, index_alias)
    ops = [
        {"_op_type": "index", "_index": index_alias, "_id": "ok", "_source": {"key": "a", "title": "t"}},
        {"_op_type": "index", "_index": index_alias, "_id": "bad", "_source": {"published_at": "not a date"}},
    ]
    results = write_bulk(engine, ops, deadline=time.monotonic() + 10)
    assert [r.ok for r in results] == [True, False]
    assert results[1].doc_id == "bad" and "400" in results[1].error
    assert results[1].attempts == 1
