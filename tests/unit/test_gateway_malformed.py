"""The local gateway answers malformed requests with the contract's JSON error and never hangs.

Each case here is refused by the HTTP server before the search function runs, so no engine is needed:
the gateway runs on an ephemeral loopback port for the test.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest

from docsearch_local import gateway


@pytest.fixture
def gateway_port(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setattr(gateway._Handler, "timeout", 1.0)
    server = gateway.serve(0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _exchange(port: int, raw: bytes, wait_s: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read until the server closes; the status, headers and body of its answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait_s) as conn:
        conn.sendall(raw)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def _assert_json_error(headers: dict[str, str], body: bytes, code: str) -> None:
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == code


def test_a_huge_query_is_a_json_414_not_html(gateway_port: int) -> None:
    status, headers, body = _exchange(gateway_port, b"GET /search?q=" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n")
    assert status == 414
    _assert_json_error(headers, body, "uri_too_long")


@pytest.mark.parametrize("length", [b"abc", b"-5", b"1e3"])
def test_a_malformed_content_length_is_a_json_400(gateway_port: int, length: bytes) -> None:
    raw = b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\n"
    status, headers, body = _exchange(gateway_port, raw)
    assert status == 400
    _assert_json_error(headers, body, "bad_request")
    assert b"content-length" in body


def test_a_body_over_the_limit_is_refused_unread(gateway_port: int) -> None:
    raw = b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n"
    status, headers, body = _exchange(gateway_port, raw)
    assert status == 413
    _assert_json_error(headers, body, "payload_too_large")


def test_a_body_shorter_than_announced_times_out_with_408(gateway_port: int) -> None:
    raw = b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-ten!!"
    status, headers, body = _exchange(gateway_port, raw)
    assert status == 408
    _assert_json_error(headers, body, "request_timeout")


def test_an_idle_connection_is_closed(gateway_port: int) -> None:
    with socket.create_connection(("127.0.0.1", gateway_port), timeout=5) as conn:
        assert conn.recv(1024) == b""  # closed by the server after its idle timeout, not held open


def test_a_nul_in_a_web_path_is_not_served_and_does_not_break_the_server(gateway_port: int) -> None:
    assert gateway.static_file("/web/index.html%00.png") is None
    raw = b"GET /web/%00 HTTP/1.1\r\nHost: x\r\n\r\n"
    status, headers, body = _exchange(gateway_port, raw)
    assert status == 404  # the function's own JSON 404 for an unknown path
    _assert_json_error(headers, body, "not_found")


def test_the_gateway_bounds_how_long_a_connection_may_idle() -> None:
    assert gateway._Handler.timeout == gateway.IDLE_TIMEOUT_S <= 30
