"""Queue operations: move dead-lettered ingest messages back, and report queue depths.

Works with any boto3 SQS client (AWS, or the local stack's moto server). The
``docsearch`` CLI and ``make redrive`` are built around these two functions.
"""

from __future__ import annotations

from typing import Any

RECEIVE_BATCH = 10
RECEIVE_WAIT_S = 1
DEPTH_ATTRIBUTES = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
]


def redrive(sqs_client: Any, dlq_url: str, queue_url: str, limit: int | None = None) -> int:
    """Move every message (or at most ``limit``) from the DLQ back to the queue; return how many moved.

    Each message is sent to the queue before it is deleted from the DLQ, so a
    failure in between can duplicate a message but never lose one (ingest is
    idempotent: the document id is stable). Message attributes travel along.
    Stops when a receive comes back empty.
    """
    moved = 0
    while limit is None or moved < limit:
        wanted = RECEIVE_BATCH if limit is None else min(RECEIVE_BATCH, limit - moved)
        received = sqs_client.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=wanted,
            WaitTimeSeconds=RECEIVE_WAIT_S,
            MessageAttributeNames=["All"],
        )
        messages = received.get("Messages", [])
        if not messages:
            break
        entries = [{"Id": str(i), "MessageBody": m["Body"], **_attributes(m)} for i, m in enumerate(messages)]
        sent = sqs_client.send_message_batch(QueueUrl=queue_url, Entries=entries)
        sent_ids = {entry["Id"] for entry in sent.get("Successful", [])}
        done = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages) if str(i) in sent_ids
        ]
        if done:
            sqs_client.delete_message_batch(QueueUrl=dlq_url, Entries=done)
        moved += len(done)
        if len(done) < len(messages):  # some could not be sent: they stay in the DLQ; don't spin on them
            failed = [f.get("Message", f.get("Code", "")) for f in sent.get("Failed", [])]
            raise RuntimeError(f"redrive: {len(messages) - len(done)} message(s) not sent ({failed}); {moved} moved")
    return moved


def queue_depths(sqs_client: Any, queue_url: str, dlq_url: str) -> dict[str, dict[str, int]]:
    """``{"queue": {"visible": n, "in_flight": n, "delayed": n}, "dlq": {...}}``."""
    return {"queue": _depth(sqs_client, queue_url), "dlq": _depth(sqs_client, dlq_url)}


def _depth(sqs_client: Any, url: str) -> dict[str, int]:
    attributes = sqs_client.get_queue_attributes(QueueUrl=url, AttributeNames=DEPTH_ATTRIBUTES)["Attributes"]
    return {
        "visible": int(attributes.get("ApproximateNumberOfMessages", 0)),
        "in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
        "delayed": int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
    }


def _attributes(message: dict[str, Any]) -> dict[str, Any]:
    attributes = message.get("MessageAttributes")
    return {"MessageAttributes": attributes} if attributes else {}


PEEK_RECEIVES = 10


def dead_lettered_keys(sqs_client: Any, dlq_url: str) -> set[tuple[str, str]]:
    """(bucket, key) of the S3 changes waiting in the dead-letter queue, read without taking them.

    Messages are received with a zero visibility timeout, so they stay where they are (the DLQ has no
    redrive policy of its own, so a receive counts against nothing). A large DLQ is sampled: SQS returns
    at most 10 messages per receive, and this reads up to ``PEEK_RECEIVES`` receives.
    """
    from docsearch.ingest.events import MalformedMessage, parse_notification

    found: set[tuple[str, str]] = set()
    for _ in range(PEEK_RECEIVES):
        messages = sqs_client.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=RECEIVE_BATCH, VisibilityTimeout=0, WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            break
        before = len(found)
        for message in messages:
            try:
                found.update((change.bucket, change.key) for change in parse_notification(message["Body"]))
            except MalformedMessage:
                continue
        if len(found) == before:
            break
    return found
