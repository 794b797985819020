"""The events AWS hands the functions, built locally: S3 notifications, SQS events of them.

One builder for the local worker, bench and the tests, shaped as S3 and Lambda's SQS
event source send them (keys URL-encoded with ``+`` for spaces, as S3 does).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any
from urllib.parse import quote_plus

from docsearch.settings import DEFAULT_REGION


def s3_record(
    bucket: str,
    key: str,
    event_name: str = "ObjectCreated:Put",
    *,
    sequencer: str = "",
    size: int | None = None,
    region: str = DEFAULT_REGION,
) -> dict[str, Any]:
    """One S3 notification record for ``key`` (given decoded; encoded here as S3 encodes it)."""
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/")}
    if size is not None:
        obj["size"] = size
    if sequencer:
        obj["sequencer"] = sequencer
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventName": event_name,
        "s3": {"bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"}, "object": obj},
    }


def s3_notification(bucket: str, key: str, event_name: str = "ObjectCreated:Put", **record: Any) -> str:
    """An SQS message body holding one S3 notification (see :func:`s3_record` for the options)."""
    return json.dumps({"Records": [s3_record(bucket, key, event_name, **record)]})


def to_sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """SQS messages (ReceiveMessage shape) -> the event Lambda's SQS event source sends."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode(), usedforsecurity=False).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def sqs_event(
    bucket: str, keys: list[str], sizes: list[int] | None = None, region: str = DEFAULT_REGION
) -> dict[str, Any]:
    """One SQS event of one upload notification per key (each with a fresh sequencer; ``sizes`` as S3 reports them)."""
    queue_arn = f"arn:aws:sqs:{region}:000000000000:docsearch-ingest"
    messages = [
        {
            "MessageId": str(uuid.uuid4()),
            "ReceiptHandle": uuid.uuid4().hex,
            "Body": s3_notification(bucket, key, sequencer=uuid.uuid4().hex[:16].upper(), size=size, region=region),
        }
        for key, size in zip(keys, sizes or [0] * len(keys), strict=True)
    ]
    return to_sqs_event(messages, queue_arn, region)
