"""The opensearch-py client (ingest, index management, the CLI): SigV4 on AWS (managed domain or
Serverless), plain HTTP locally; and the boundary between its exceptions and the project's own
(docsearch.errors). The search function reads through its own lighter client: search/client.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from opensearchpy import OpenSearch, Urllib3AWSV4SignerAuth, Urllib3HttpConnection
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import ConnectionTimeout, TransportError

from docsearch.errors import RETRYABLE_STATUSES, EngineRejected, EngineUnavailable, NotOnServerless
from docsearch.settings import Settings, get_settings

# Gzip request bodies (and ask for gzip answers)? Off: `make bench` measured gzip slower on both paths
# (ingest -15%, search p50 +29%): our payloads are small (a 10-document _bulk, one page of hits) and the
# function's fraction of a vCPU pays for compressing them. docs/performance.md.
HTTP_COMPRESS = False


@contextmanager
def engine_errors() -> Iterator[None]:
    """Raise the project's errors for the engine's: unreachable, timed out or overloaded -> EngineUnavailable;
    any other refusal -> EngineRejected. Answers a caller expects (a 404) are handled inside the block."""
    try:
        yield
    except (EngineConnectionError, ConnectionTimeout) as error:
        raise EngineUnavailable(str(error)) from error
    except TransportError as error:
        if error.status_code in RETRYABLE_STATUSES:
            raise EngineUnavailable(str(error)) from error
        raise EngineRejected(error.status_code, str(error.error)) from error


def build_client(settings: Settings, compress: bool | None = None) -> OpenSearch:
    auth = None
    if settings.opensearch_auth == "sigv4":
        import boto3  # only needed on AWS; keeps local cold start lean

        credentials = boto3.Session().get_credentials()
        auth = Urllib3AWSV4SignerAuth(credentials, settings.region, settings.opensearch_service)
    return OpenSearch(
        hosts=[settings.opensearch_url],
        http_auth=auth,
        connection_class=Urllib3HttpConnection,
        timeout=settings.opensearch_timeout_s,
        http_compress=HTTP_COMPRESS if compress is None else compress,
        max_retries=1,
        retry_on_timeout=False,
    )


def is_serverless(client: OpenSearch) -> bool:
    """Whether ``client`` talks to OpenSearch Serverless: it signs its requests for the ``aoss`` service.

    The signing service is what build_client chose from OPENSEARCH_SERVICE, so the client itself
    carries the answer wherever it was built (a function, the CLI, a test).
    """
    auth = client.transport.kwargs.get("http_auth")
    return getattr(auth, "service", None) == "aoss"


def refuse_on_serverless(client: OpenSearch, operation: str, instead: str = "") -> None:
    """Raise NotOnServerless before a call Serverless would reject (its answer would be an opaque 404/403)."""
    if is_serverless(client):
        raise NotOnServerless(operation, instead)


@lru_cache(maxsize=1)
def get_client() -> OpenSearch:
    """One client per container, reused across invocations (keeps connections alive)."""
    return build_client(get_settings())
