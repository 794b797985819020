"""The ingest worker: long-polls the queue and invokes the ingest handler as Lambda's SQS poller would.

Batches of up to 10 messages become one SQS event; only the messages that the
handler does not list in ``batchItemFailures`` are deleted. If the handler
raises, nothing is deleted and every message returns after its visibility
timeout (and reaches the DLQ after maxReceiveCount receives), as on AWS.
"""

from __future__ import annotations

import signal
import sys
import time
from typing import Any

from docsearch_local.aws_resources import clients
from docsearch_local.events import to_sqs_event
from docsearch_local.lambda_context import LocalContext
from docsearch_local.paths import stack_config

BATCH_SIZE = 10
WAIT_S = 2


def successful_receipts(messages: list[dict[str, Any]], response: dict[str, Any] | None) -> list[dict[str, str]]:
    failed = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
    return [
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
        for i, m in enumerate(messages)
        if m["MessageId"] not in failed
    ]


def receive_batch(sqs: Any, queue_url: str, wait_s: int) -> list[dict[str, Any]]:
    """One long poll for up to a batch, with the attributes Lambda's poller puts in the event."""
    received = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=BATCH_SIZE,
        WaitTimeSeconds=wait_s,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    )
    return list(received.get("Messages", []))


def run(max_idle_polls: int | None = None) -> None:
    from functions.ingest.app import lambda_handler  # imported here: the handler reads settings at import

    config = stack_config()
    _, sqs = clients(config)
    queue_url = sqs.get_queue_url(QueueName=config.queue)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn", "VisibilityTimeout"])
    queue_arn = attributes["Attributes"]["QueueArn"]
    # As on AWS, the function must finish before its messages become visible again.
    timeout_s = int(attributes["Attributes"].get("VisibilityTimeout", config.visibility_timeout_s))
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    idle = 0
    while running:
        try:
            messages = receive_batch(sqs, queue_url, WAIT_S)
        except Exception as error:  # emulator restarting: wait and poll again
            print(f"receive failed: {error!r}", file=sys.stderr, flush=True)
            time.sleep(1)
            continue
        if not messages:
            idle += 1
            if max_idle_polls is not None and idle >= max_idle_polls:
                return
            continue
        idle = 0
        event = to_sqs_event(messages, queue_arn, config.region)
        try:
            response = lambda_handler(event, LocalContext("docsearch-ingest", timeout_s=timeout_s))
        except Exception as error:  # the whole batch goes back to the queue, as on Lambda
            print(f"ingest handler failed: {error!r}", file=sys.stderr, flush=True)
            continue
        done = successful_receipts(messages, response)
        if done:
            try:
                sqs.delete_message_batch(QueueUrl=queue_url, Entries=done)
            except Exception as error:  # not deleted: the messages come back and are ingested again (idempotent)
                print(f"delete failed: {error!r}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    run()
