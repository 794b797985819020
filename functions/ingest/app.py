"""Ingest: SQS batch of S3 notifications -> docsearch.ingest.batch -> partial batch response."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from docsearch.engine import get_client
from docsearch.index.definition import ensure_index
from docsearch.ingest.batch import MessageOutcome, ingest_messages
from docsearch.ingest.bulk import time_budget
from docsearch.ingest.objects import fetch_object
from docsearch.observability import logger, metrics
from docsearch.settings import get_settings

processor = BatchProcessor(event_type=EventType.SQS)


class RetryLater(Exception):
    """Raised for a record whose message must go back to the queue."""


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    settings = get_settings()
    client = get_client()
    # Checked every batch (≈1-4 ms): caching it per container would let writes auto-create a
    # mapping-less index if the alias were ever removed under a warm function.
    ensure_index(client, settings.index_alias)
    messages = [(record["messageId"], record["body"]) for record in event.get("Records", [])]
    with time_budget(context.get_remaining_time_in_millis()):  # bulk retries stop before Lambda's timeout
        outcomes = ingest_messages(
            messages,
            client,
            settings.index_alias,
            fetch=lambda bucket, key: fetch_object(bucket, key, settings.max_object_bytes),
        )

    def record_handler(record: SQSRecord) -> MessageOutcome:
        outcome = outcomes[record.message_id]
        if outcome.status == "retry":
            raise RetryLater("; ".join(outcome.errors))
        return outcome

    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
