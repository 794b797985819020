"""Ingest: SQS batch of S3 notifications -> docsearch.ingest.batch -> partial batch response."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from docsearch.engine import get_client
from docsearch.ingest.batch import ingest_queue_batch
from docsearch.ingest.outcome import MessageOutcome
from docsearch.observability import logger, metrics
from docsearch.settings import get_settings

processor = BatchProcessor(event_type=EventType.SQS)


class RetryLater(Exception):
    """Raised for a record whose message must go back to the queue."""


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    messages = [(record["messageId"], record["body"]) for record in event.get("Records", [])]
    outcomes = ingest_queue_batch(messages, get_client(), get_settings(), context.get_remaining_time_in_millis())
    report(outcomes.values())

    def record_handler(record: SQSRecord) -> MessageOutcome:
        outcome = outcomes[record.message_id]
        if outcome.status == "retry":
            raise RetryLater("; ".join(outcome.errors))
        return outcome

    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)


def report(outcomes: Iterable[MessageOutcome]) -> None:
    """What the batch did: a log line per skip and per message to retry, and the batch's counts as metrics."""
    totals = {"DocumentsIndexed": 0, "DocumentsDeleted": 0, "DocumentsUnchanged": 0, "EventsStale": 0}
    for outcome in outcomes:
        for skip in outcome.skips:
            logger.info(
                "skipped",
                extra={"reason": skip.reason, "detail": skip.detail, "key": skip.key, "message_id": outcome.message_id},
            )
            metrics.add_metric(name="ObjectsSkipped", unit=MetricUnit.Count, value=1)
            metrics.add_metric(name=f"Skipped_{skip.reason}", unit=MetricUnit.Count, value=1)
        if outcome.status == "retry":
            logger.warning("message to retry", extra={"message_id": outcome.message_id, "errors": outcome.errors})
        totals["DocumentsIndexed"] += outcome.indexed
        totals["DocumentsDeleted"] += outcome.deleted
        totals["DocumentsUnchanged"] += outcome.unchanged
        totals["EventsStale"] += outcome.stale
    for name, value in totals.items():
        if value:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
