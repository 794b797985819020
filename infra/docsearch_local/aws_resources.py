"""The bucket, queue, DLQ and bucket notification of the local stack (idempotent)."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

from docsearch_local.paths import StackConfig


def local_session(region: str) -> boto3.Session:
    """A boto3 session for the local emulator: its region and the (any) local credentials."""
    return boto3.Session(
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "local"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
        region_name=region,
    )


def clients(config: StackConfig) -> tuple[Any, Any]:
    session = local_session(config.region)
    return session.client("s3", endpoint_url=config.aws_url), session.client("sqs", endpoint_url=config.aws_url)


def create_resources(config: StackConfig) -> dict[str, str]:
    s3, sqs = clients(config)
    # Created bare, then given their attributes: a queue the emulator restored from its state folder exists
    # already, and a create naming attributes it does not hold exactly is refused (QueueAlreadyExists).
    dlq_url = sqs.create_queue(QueueName=config.dlq)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"MessageRetentionPeriod": "1209600"})
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(config.max_receive_count)})
    queue_url = sqs.create_queue(QueueName=config.queue)["QueueUrl"]
    sqs.set_queue_attributes(
        QueueUrl=queue_url,
        Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": str(config.visibility_timeout_s)},
    )
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if config.bucket not in existing:
        s3.create_bucket(Bucket=config.bucket, CreateBucketConfiguration={"LocationConstraint": config.region})
    s3.put_bucket_notification_configuration(
        Bucket=config.bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]},
            ]
        },
    )
    return {"bucket": config.bucket, "queue_url": queue_url, "dlq_url": dlq_url}
