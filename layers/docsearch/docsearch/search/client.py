"""The search function's engine client: the four reads it makes, over urllib3, SigV4-signed on AWS.

Not opensearch-py, on purpose: importing it loads its query DSL, its async client and requests
(about 90 ms of every cold start of the search function, docs/performance.md) for reads that are
one HTTP request each. urllib3 is the layer's already (opensearch-py's own transport); botocore (its
SigV4 signer and the credential chain) is the Lambda runtime's. The ingest function, the CLI's admin
commands and the tests' setup keep opensearch-py (docsearch.engine).

Like the opensearch-py client it replaces: keep-alive connections reused across invocations; a
request that fails before any answer (a refused or dropped connection) is retried once, a timeout
is not (the caller's deadline is short); engine answers become the project's errors here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from hashlib import sha256
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

import urllib3
from urllib3.exceptions import HTTPError, TimeoutError

from docsearch.errors import RETRYABLE_STATUSES, EngineRejected, EngineUnavailable, IndexMissing
from docsearch.settings import Settings, get_settings

JSON = "application/json"


class Signer(Protocol):
    service: str

    def headers(self, method: str, url: str, body: bytes) -> dict[str, str]: ...


class SigV4Signer:
    """SigV4 headers for one request, with the runtime's credentials (refreshed by botocore as they expire)."""

    def __init__(self, region: str, service: str) -> None:
        # Only on AWS, so imported here; botocore alone, not boto3 (s3transfer and all).
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.session import get_session

        credentials = get_session().get_credentials()
        if credentials is None:
            raise EngineUnavailable("no AWS credentials to sign the engine's requests with")
        self.credentials = credentials
        self.region = region
        self.service = service
        self._auth, self._request = SigV4Auth, AWSRequest

    def headers(self, method: str, url: str, body: bytes) -> dict[str, str]:
        request = self._request(method=method, url=url, data=body, headers={"Content-Type": JSON})
        # Signed too, as Serverless requires (and opensearch-py does): the payload's hash.
        request.headers["X-Amz-Content-SHA256"] = sha256(body).hexdigest()
        self._auth(self.credentials.get_frozen_credentials(), self.service, self.region).add_auth(request)
        return dict(request.headers.items())


class SearchClient:
    """The reads a search, a document lookup and a health check make, against one engine endpoint."""

    def __init__(self, url: str, timeout_s: float, signer: Signer | None = None) -> None:
        self.signer = signer
        parts = urlsplit(url.rstrip("/"))
        self._origin = f"{parts.scheme}://{parts.netloc}"  # what a signature names, before the path
        self._prefix = parts.path  # an endpoint behind a proxy path: every request goes under it
        tls = {"cert_reqs": "CERT_REQUIRED", "ca_certs": _ca_certs()} if parts.scheme == "https" else {}
        self._pool = urllib3.connection_from_url(
            self._origin, timeout=urllib3.Timeout(total=timeout_s), retries=False, maxsize=4, **tls
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> SearchClient:
        signer = (
            SigV4Signer(settings.region, settings.opensearch_service) if settings.opensearch_auth == "sigv4" else None
        )
        return cls(settings.opensearch_url, settings.opensearch_timeout_s, signer)

    @property
    def serverless(self) -> bool:
        """Whether this talks to OpenSearch Serverless: it signs for the ``aoss`` service."""
        return self.signer is not None and self.signer.service == "aoss"

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST <index>/_search``; IndexMissing when there is no such index (nothing uploaded yet)."""
        return self.request("POST", f"/{_path(index)}/_search", body=body)

    def get(self, index: str, doc_id: str, source_includes: list[str]) -> dict[str, Any] | None:
        """``GET <index>/_doc/<id>``; None when the engine has no such document (or no such index)."""
        try:
            found = self.request("GET", f"/{_path(index)}/_doc/{_path(doc_id)}", {"_source_includes": source_includes})
        except IndexMissing:
            return None
        return found if found.get("found") else None

    def count(self, index: str) -> int:
        """``POST <index>/_count`` (Serverless has no cluster health: a read is its health check)."""
        return int(self.request("POST", f"/{_path(index)}/_count").get("count", 0))

    def cluster_health(self) -> dict[str, Any]:
        return self.request("GET", "/_cluster/health")

    def request(
        self, method: str, path: str, params: dict[str, list[str]] | None = None, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One request and its JSON answer; the engine's refusals and failures as the project's errors."""
        target = self._prefix + path + ("?" + urlencode({k: ",".join(v) for k, v in params.items()}) if params else "")
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        headers = {"Content-Type": JSON} if body is not None else {}
        if self.signer is not None:
            headers = self.signer.headers(method, self._origin + target, data)
        for attempt in (1, 2):
            try:
                answer = self._pool.urlopen(method, target, body=data or None, headers=headers)
                break
            except TimeoutError as error:
                raise EngineUnavailable(f"the engine did not answer {method} {path} in time: {error}") from error
            except HTTPError as error:  # refused, reset, or a kept-alive connection the other side had closed
                if attempt == 2:
                    raise EngineUnavailable(f"the engine could not be reached: {error}") from error
        return _answer(answer.status, answer.data)


def _answer(status: int, data: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(data) if data else {}
    except ValueError:
        answer = {"error": data[:200].decode(errors="replace")}
    if 200 <= status < 300:
        return answer
    error = answer.get("error") if isinstance(answer, dict) else None
    kind = error.get("type") if isinstance(error, dict) else error
    if status in RETRYABLE_STATUSES:
        raise EngineUnavailable(f"the engine answered {status}: {kind}")
    if status == 404 and (kind == "index_not_found_exception" or "found" in answer):
        raise IndexMissing(str(kind or "not found"))
    raise EngineRejected(status, str(kind))


def _path(part: str) -> str:
    return quote(part, safe=",*")


def _ca_certs() -> str:
    import certifi  # the layer's (opensearch-py's too); only for an https endpoint

    return str(certifi.where())


@lru_cache(maxsize=1)
def get_search_client() -> SearchClient:
    """One client per container, reused across invocations (keeps connections alive)."""
    return SearchClient.from_settings(get_settings())
