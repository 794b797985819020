"""The local HTTP gateway: each request becomes an API Gateway HTTP API (payload 2.0) event.

The search handler answers it in-process and the answer is sent back as API
Gateway would send it. One request is handled at a time, as one Lambda
container would.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import sys
import threading
import time
import traceback
import uuid
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urlsplit

from aws_lambda_powertools.utilities.typing import LambdaContext

from docsearch_local.lambda_context import LocalContext
from docsearch_local.paths import stack_config

MAX_BODY_BYTES = 1024 * 1024
# A client that sends nothing (idle keep-alive, or a body shorter than its Content-Length) is dropped
# after this long with a JSON 408, as API Gateway does, instead of holding the gateway's thread forever.
IDLE_TIMEOUT_S = 10.0
# The status lines API Gateway's HTTP API uses for what the local server refuses before the function runs.
ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    408: "request_timeout",
    413: "payload_too_large",
    414: "uri_too_long",
    431: "headers_too_large",
    501: "not_implemented",
}
WEB_ROOT = Path(__file__).resolve().parents[2] / "web"


def static_file(path: str) -> Path | None:
    """The file under web/ that a GET for ``path`` names (``/`` and ``/web/...``), or None.

    The search page is static: the gateway serves it beside the API, as a bucket
    or CDN would in front of API Gateway. Nothing outside web/ is ever served.
    """
    path = unquote(urlsplit(path).path)
    if "\x00" in path:  # no file has a NUL in its name; Path would raise on it
        return None
    if path in ("/", "/web", "/web/"):
        return WEB_ROOT / "index.html"
    if not path.startswith("/web/"):
        return None
    candidate = (WEB_ROOT / path.removeprefix("/web/")).resolve()
    if not candidate.is_relative_to(WEB_ROOT) or not candidate.is_file():
        return None
    return candidate


def to_http_api_event(method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str) -> dict[str, Any]:
    """An HTTP request -> the API Gateway HTTP API v2 event, including how it folds repeated parameters."""
    parts = urlsplit(target)
    params: dict[str, list[str]] = defaultdict(list)
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        params[name].append(value)
    lowered = {name.lower(): value for name, value in headers.items()}
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": lowered,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": lowered.get("host", "127.0.0.1"),
            "domainPrefix": "local",
            "http": {
                "method": method,
                "path": parts.path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if params:
        event["queryStringParameters"] = {name: ",".join(values) for name, values in params.items()}
    if body:
        event["body"] = base64.b64encode(body).decode()
        event["isBase64Encoded"] = True
    return event


def error_body(status: int, message: str) -> bytes:
    """The contract's JSON error (API.md), for what the gateway itself refuses."""
    code = ERROR_CODES.get(status, "invalid_request")
    return json.dumps({"error": {"code": code, "message": message}}).encode()


class _Handler(BaseHTTPRequestHandler):
    server_version = "docsearch-local"
    timeout = IDLE_TIMEOUT_S
    lock = threading.Lock()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Every refusal of the HTTP server itself (414, 400, 501, ...) in the contract's JSON, never HTML."""
        text = message or self.responses.get(code, ("error",))[0]
        data = error_body(code, text.lower())
        self.send_response(code, text)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(data)

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering 400/413 for a Content-Length that can't be honoured."""
        raw = self.headers.get("Content-Length") or "0"
        if not raw.strip().isdigit():
            self.send_error(400, "content-length must be a non-negative whole number")
            return None
        length = int(raw)
        if length > MAX_BODY_BYTES:
            self.send_error(413, f"the body may be at most {MAX_BODY_BYTES} bytes")
            return None
        try:
            return self.rfile.read(length) if length else b""
        except TimeoutError:  # a body shorter than announced: answer, and drop the connection
            self.send_error(408, "the request body did not arrive in time")
            return None

    def _invoke(self) -> None:
        if self.command in ("GET", "HEAD") and self._serve_static():
            return
        from functions.search.app import lambda_handler

        body = self._read_body()
        if body is None:
            return
        event = to_http_api_event(self.command, self.path, dict(self.headers.items()), body, self.client_address[0])
        with self.lock:
            try:
                response = lambda_handler(event, cast(LambdaContext, LocalContext("docsearch-search")))
            except Exception:  # what API Gateway answers when the function fails
                traceback.print_exc()
                response = {"statusCode": 500, "body": '{"message":"Internal Server Error"}'}
        payload = response.get("body") or ""
        data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
        self.send_response(int(response.get("statusCode", 200)))
        for name, value in (response.get("headers") or {}).items():
            self.send_header(name, str(value))
        for name, values in (response.get("multiValueHeaders") or {}).items():
            for value in values:
                self.send_header(name, str(value))
        for cookie in response.get("cookies") or []:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _serve_static(self) -> bool:
        path = urlsplit(self.path).path
        if path in ("/", "/web"):  # relative links in the page resolve under /web/
            self.send_response(302)
            self.send_header("Location", "/web/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        file = static_file(self.path)
        if file is None:
            return False
        data = file.read_bytes()
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        self.send_response(200)
        textual = kind.startswith("text/") or kind.endswith(("javascript", "json"))
        self.send_header("Content-Type", f"{kind}; charset=utf-8" if textual else kind)
        self.send_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        return True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _invoke

    def __getattr__(self, name: str) -> Any:
        """Any other method token (TRACE, CONNECT, made-up ones) goes to the function too: it answers 405."""
        if name.startswith("do_"):
            return self._invoke
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        print(f"{self.address_string()} {format % args}", flush=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is its business, not a trace in the log; anything else is."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(port: int | None = None) -> ThreadingHTTPServer:
    return _Server(("127.0.0.1", port if port is not None else stack_config().api_port), _Handler)


if __name__ == "__main__":
    serve().serve_forever()
