"""One SQS batch of S3 notifications -> one ``_bulk`` request -> an outcome per message.

Each message ends in one of three ways:
- ``done``: every change it carried is in the index (indexed, deleted, or skipped
  with a recorded reason such as an empty file or a poison message);
- ``retry``: something transient failed (S3 or the engine); the message goes back
  to the queue and, after the configured receives, to the dead-letter queue.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from aws_lambda_powertools.metrics import MetricUnit
from opensearchpy import OpenSearch

from docsearch.article import IndexedArticle, document_id
from docsearch.bulk import write_bulk
from docsearch.events import MalformedMessage, ObjectChange, parse_notification
from docsearch.extract import Unindexable, extract_article
from docsearch.objects import ObjectMissing, ObjectTooLarge, StoredObject
from docsearch.observability import logger, metrics

Fetch = Callable[[str, str], StoredObject]


@dataclass(frozen=True)
class BulkAction:
    message_id: str
    op: dict[str, Any]


@dataclass
class MessageOutcome:
    message_id: str
    status: Literal["done", "retry"] = "done"
    indexed: int = 0
    deleted: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def fail(self, reason: str) -> None:
        self.status = "retry"
        self.errors.append(reason)


def ingest_messages(
    messages: Sequence[tuple[str, str]], client: OpenSearch, index: str, fetch: Fetch
) -> dict[str, MessageOutcome]:
    """Ingest ``(message_id, body)`` pairs; return the outcome of each message."""
    outcomes = {message_id: MessageOutcome(message_id) for message_id, _ in messages}
    actions: list[BulkAction] = []
    for message_id, body in messages:
        outcome = outcomes[message_id]
        try:
            changes = parse_notification(body)
        except MalformedMessage as error:
            _skip(outcome, "malformed_message", str(error))
            continue
        for change in changes:
            op = _prepare(change, index, fetch, outcome)
            if op is not None:
                actions.append(BulkAction(message_id, op))
    for action, result in zip(actions, write_bulk(client, [a.op for a in actions]), strict=True):
        outcome = outcomes[action.message_id]
        if not result.ok:
            outcome.fail(result.error)
        elif result.op_type == "delete":
            outcome.deleted += 1
        else:
            outcome.indexed += 1
    metrics.add_metric(name="DocumentsIndexed", unit=MetricUnit.Count, value=sum(o.indexed for o in outcomes.values()))
    return outcomes


def _prepare(change: ObjectChange, index: str, fetch: Fetch, outcome: MessageOutcome) -> dict[str, Any] | None:
    doc_id = document_id(change.bucket, change.key)
    if change.action == "delete":
        return {"_op_type": "delete", "_index": index, "_id": doc_id}
    try:
        obj = fetch(change.bucket, change.key)
        article = extract_article(obj.body, obj.metadata)
    except ObjectMissing as error:
        _skip(outcome, "object_missing", str(error), key=change.key)
        return None
    except ObjectTooLarge as error:
        _skip(outcome, "too_large", str(error), key=change.key)
        return None
    except Unindexable as error:
        _skip(outcome, error.reason, str(error), key=change.key)
        return None
    except Exception as error:  # S3 throttling, network: transient, retry the message
        logger.warning("fetch failed", extra={"key": change.key, "error": repr(error)})
        outcome.fail(f"fetch: {error!r}")
        return None
    indexed = IndexedArticle(
        bucket=change.bucket,
        key=change.key,
        article=article,
        size=len(obj.body),
        content_hash=hashlib.sha256(obj.body).hexdigest(),
        sequencer=change.sequencer,
    )
    return {"_op_type": "index", "_index": index, "_id": doc_id, "_source": indexed.to_document()}


def _skip(outcome: MessageOutcome, reason: str, detail: str, key: str | None = None) -> None:
    outcome.skipped.append(reason)
    logger.info("skipped", extra={"reason": reason, "detail": detail, "key": key, "message_id": outcome.message_id})
    metrics.add_metric(name="ObjectsSkipped", unit=MetricUnit.Count, value=1)
