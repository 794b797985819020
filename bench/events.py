"""S3 notifications wrapped in SQS events, shaped exactly as the local worker (and Lambda) hands them over."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote_plus

from docsearch_local.worker import to_sqs_event

QUEUE_ARN = "arn:aws:sqs:ap-southeast-3:000000000000:docsearch-bench"
REGION = "ap-southeast-3"


def s3_notification(bucket: str, key: str, size: int = 0) -> str:
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": REGION,
        "eventName": "ObjectCreated:Put",
        "s3": {
            "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": quote_plus(key), "size": size, "sequencer": uuid.uuid4().hex[:16].upper()},
        },
    }
    return json.dumps({"Records": [record]})


def sqs_event(bucket: str, keys: list[str], sizes: list[int] | None = None) -> dict[str, Any]:
    """One SQS event of one message per key (the worker sends batches of 10); ``sizes`` as S3 reports them."""
    messages = [
        {
            "MessageId": str(uuid.uuid4()),
            "ReceiptHandle": uuid.uuid4().hex,
            "Body": s3_notification(bucket, key, size),
        }
        for key, size in zip(keys, sizes or [0] * len(keys), strict=True)
    ]
    return to_sqs_event(messages, QUEUE_ARN, REGION)
