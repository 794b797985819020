"""The project's own errors: what the core raises, whatever engine or transport is underneath.

Edges map them once: the search function to HTTP statuses, the CLI to exit codes.
"""

from __future__ import annotations

# Engine answers that mean "busy or down, retry later" rather than "your request is wrong"
# (whole requests: docsearch.engine and search/client.py; single _bulk items: ingest/bulk.py).
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


class DocsearchError(Exception):
    """Base of the errors the core raises on purpose."""


class EngineUnavailable(DocsearchError):
    """The engine could not be reached, timed out or is overloaded: retry later."""


class EngineRejected(DocsearchError):
    """The engine refused a request as malformed: our bug, not the caller's (no engine text leaves the core)."""

    def __init__(self, status: int | str | None, reason: str) -> None:
        super().__init__(f"engine answered {status}: {reason}")
        self.status = status
        self.reason = reason


class IndexMissing(DocsearchError):
    """The engine has no such index (or alias): nothing has been uploaded yet."""


class DocumentNotFound(DocsearchError):
    """No live document has this id (never indexed, deleted, or a deletion tombstone)."""


class NotOnServerless(DocsearchError):
    """The operation needs an API that OpenSearch Serverless does not have (docs/deploy.md, engine calls)."""

    def __init__(self, operation: str, instead: str = "") -> None:
        message = f"{operation} is not available on OpenSearch Serverless"
        super().__init__(f"{message}: {instead}" if instead else message)
        self.operation = operation
