"""The local HTTP gateway: each request becomes an API Gateway HTTP API (payload 2.0) event.

The search handler answers it in-process and the answer is sent back as API
Gateway would send it. One request is handled at a time, as one Lambda
container would.
"""

from __future__ import annotations

import base64
import mimetypes
import threading
import time
import traceback
import uuid
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from docsearch_local.lambda_context import LocalContext
from docsearch_local.paths import stack_config

MAX_BODY_BYTES = 1024 * 1024
WEB_ROOT = Path(__file__).resolve().parents[2] / "web"


def static_file(path: str) -> Path | None:
    """The file under web/ that a GET for ``path`` names (``/`` and ``/web/...``), or None.

    The search page is static: the gateway serves it beside the API, as a bucket
    or CDN would in front of API Gateway. Nothing outside web/ is ever served.
    """
    path = unquote(urlsplit(path).path)
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


class _Handler(BaseHTTPRequestHandler):
    server_version = "docsearch-local"
    lock = threading.Lock()

    def _invoke(self) -> None:
        if self.command in ("GET", "HEAD") and self._serve_static():
            return
        from functions.search.app import lambda_handler

        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY_BYTES)
        body = self.rfile.read(length) if length else b""
        event = to_http_api_event(self.command, self.path, dict(self.headers.items()), body, self.client_address[0])
        with self.lock:
            try:
                response = lambda_handler(event, LocalContext("docsearch-search"))
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


def serve(port: int | None = None) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("127.0.0.1", port if port is not None else stack_config().api_port), _Handler)


if __name__ == "__main__":
    serve().serve_forever()
