"""What the integration tests share to set up and read a corpus: articles indexed through the ingest batch
(as the queue delivers their S3 notifications), and the search function's HTTP API called in process."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.ingest.batch import ingest_messages
from docsearch.ingest.objects import StoredObject
from docsearch_local.events import s3_notification
from docsearch_local.gateway import to_http_api_event
from docsearch_local.lambda_context import LocalContext
from functions.search import app

# An object's text and its S3 user metadata (x-amz-meta-*).
Objects = Mapping[str, tuple[str, dict[str, str]]]


def ingest(engine: OpenSearch, alias: str, bucket: str, objects: Objects) -> None:
    """Index ``objects`` through the ingest batch, each asserted indexed, then refresh: searchable on return."""

    def fetch(bucket: str, key: str) -> StoredObject:
        text, metadata = objects[key]
        content_type = "text/html" if key.endswith(".html") else "text/plain"
        return StoredObject(bucket, key, text.encode(), content_type, metadata)

    outcomes = ingest_messages([(key, s3_notification(bucket, key)) for key in objects], engine, alias, fetch)
    assert all(o.status == "done" and o.indexed == 1 for o in outcomes.values()), outcomes
    engine.indices.refresh(index=alias)


@contextmanager
def text_corpus(engine: OpenSearch, prefix: str, articles: Mapping[str, str]) -> Iterator[str]:
    """An index of its own holding ``articles`` (key to text), deleted afterwards; yields its alias."""
    alias = f"{prefix}-{uuid.uuid4().hex[:10]}"
    ensure_index(engine, alias)
    try:
        ingest(engine, alias, "b", {key: (text, {}) for key, text in articles.items()})
        yield alias
    finally:
        engine.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)


def api_get(target: str) -> dict[str, Any]:
    """The search function's JSON answer to ``GET target``, through its handler; anything but 200 fails."""
    event = to_http_api_event("GET", target, {"host": "localhost"}, b"", "127.0.0.1")
    response = app.lambda_handler(event, LocalContext("docsearch-search"))
    assert response["statusCode"] == 200, response["body"]
    answer: dict[str, Any] = json.loads(response["body"])
    return answer
