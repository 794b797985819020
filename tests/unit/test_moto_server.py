"""The local emulator without moto's two per-request overheads still behaves as moto does."""

from typing import Any

import boto3
import pytest
from moto import backends, mock_aws
from moto.sqs.models import SQSBackend, sqs_backends

from docsearch_local import moto_server

REGION = "ap-southeast-3"
LISTED = list(backends.list_of_moto_modules())  # as moto lists them, before any test changes it


@pytest.fixture
def lean(monkeypatch: pytest.MonkeyPatch) -> None:
    """The emulator's changes, undone after the test (they are process-wide), on moto in this process (not
    the local stack's server, which the suite's environment may point boto3 at)."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setattr(backends, "list_of_moto_modules", backends.list_of_moto_modules)
    retention = SQSBackend.is_message_valid_based_on_retention_period
    monkeypatch.setattr(SQSBackend, "is_message_valid_based_on_retention_period", retention)
    moto_server._without_emulator_overheads()


@pytest.mark.usefixtures("lean")
def test_services_are_still_found() -> None:
    assert list(backends.list_of_moto_modules()) == LISTED
    assert {"s3", "sqs"} <= set(LISTED)


@mock_aws
@pytest.mark.usefixtures("lean")
def test_a_message_past_the_queues_retention_is_not_handed_out() -> None:
    sqs: Any = boto3.client("sqs", region_name=REGION)
    kept = sqs.create_queue(QueueName="kept", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    expired = sqs.create_queue(QueueName="expired", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    for url in (kept, expired):
        sqs.send_message(QueueUrl=url, MessageBody="berita/a.txt")
    account = expired.rstrip("/").split("/")[-2]  # whatever account the environment's credentials name
    message = sqs_backends[account][REGION].get_queue("expired")._messages[0]
    message.sent_timestamp -= 61_000  # sent 61 s earlier: past the 60 s retention

    assert [m["Body"] for m in sqs.receive_message(QueueUrl=kept).get("Messages", [])] == ["berita/a.txt"]
    assert sqs.receive_message(QueueUrl=expired).get("Messages", []) == []
