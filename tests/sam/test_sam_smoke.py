"""`docsearch smoke` with both functions under `sam local`: search through `sam local start-api`, ingest
through `sam local invoke IngestFunction` on the batches S3 queues (this stack runs no worker, as on AWS
the queue's event source would), while the smoke test runs as an operator runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from docsearch_cli.smoke import PROBE_PREFIX
from docsearch_local.aws_resources import clients
from docsearch_local.events import to_sqs_event
from docsearch_local.worker import receive_batch, successful_receipts
from tests.sam.harness import SamSetup
from tests.sam.test_start_api import api  # noqa: F401 (the module's start-api, shared as a fixture)

pytestmark = [pytest.mark.sam, pytest.mark.timeout(1500)]
DOCSEARCH = Path(sys.executable).parent / "docsearch"


def _drain_into_ingest(sam: SamSetup, stop: threading.Event, invoked: list[dict[str, Any]]) -> None:
    """Lambda's SQS poller, played by the test: each batch the queue holds goes to `sam local invoke`."""
    _, sqs = clients(sam.config)
    queue_url = sqs.get_queue_url(QueueName=sam.config.queue)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    while not stop.is_set():
        messages = receive_batch(sqs, queue_url, wait_s=1)
        if not messages:
            continue
        response = sam.invoke("IngestFunction", to_sqs_event(messages, queue_arn, sam.config.region))
        invoked.append(response)
        done = successful_receipts(messages, response)
        if done:
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=done)


def test_smoke_passes_under_sam_local(api: str, sam: SamSetup) -> None:  # noqa: F811 (the fixture imported above)
    stop = threading.Event()
    invoked: list[dict[str, Any]] = []
    poller = threading.Thread(target=_drain_into_ingest, args=(sam, stop, invoked), daemon=True)
    poller.start()
    try:
        where = ["--api-url", api, "--bucket", sam.config.bucket, "--endpoint", sam.config.aws_url]
        done = subprocess.run(
            [str(DOCSEARCH), "smoke", "--json", "--timeout", "300", *where],
            capture_output=True,
            text=True,
            timeout=1200,
        )
    finally:
        stop.set()
        poller.join(timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert [s["step"] for s in report["steps"]] == ["upload", "searchable", "document", "delete", "gone", "purge"]
    assert invoked and all(not r.get("batchItemFailures") for r in invoked)  # the probe's create and delete
    s3, _ = clients(sam.config)
    assert s3.list_objects_v2(Bucket=sam.config.bucket, Prefix=PROBE_PREFIX).get("KeyCount", 0) == 0
