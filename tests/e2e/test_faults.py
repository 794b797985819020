"""Faults on a stack of our own: OpenSearch stopped mid-ingest and started again, poison messages.

These tests stop and start OpenSearch, so they never use the shared node: the
``fault_stack`` fixture starts a whole stack (its own OpenSearch on 9210, moto,
ingest worker and search API on free ports) with a short visibility timeout,
and stops all of it at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from docsearch_cli.queues import queue_depths, redrive
from docsearch_local import opensearch, stack
from docsearch_local.aws_resources import clients
from docsearch_local.paths import StackConfig, cache_home
from docsearch_local.processes import read_pid
from tests.support import eventually

pytestmark = pytest.mark.e2e

FAULT_OPENSEARCH_PORT = 9210
VISIBILITY_TIMEOUT_S = 5
FAULT_HEAP = "512m"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FaultStack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.s3, self.sqs = clients(config)
        self.queue_url = self.sqs.get_queue_url(QueueName=config.queue)["QueueUrl"]
        self.dlq_url = self.sqs.get_queue_url(QueueName=config.dlq)["QueueUrl"]
        self.engine = config.engine()

    def stop_engine(self) -> None:
        pid = read_pid(self.config.pidfile("opensearch"))
        assert pid, "the fault stack's OpenSearch is not ours to stop"
        opensearch.stop(pid)

    def start_engine(self) -> None:
        pid = opensearch.start(self.config.opensearch_port, opensearch.data_home(self.config.state))
        self.config.pidfile("opensearch").write_text(str(pid))
        opensearch.wait_healthy(self.config.opensearch_url, pid)

    def depths(self) -> dict[str, dict[str, int]]:
        return queue_depths(self.sqs, self.queue_url, self.dlq_url)

    def drained(self) -> bool:
        queue = self.depths()["queue"]
        return queue["visible"] + queue["in_flight"] + queue["delayed"] == 0

    def counts_by_key(self, prefix: str) -> dict[str, int]:
        if not self.engine.indices.exists_alias(name=self.config.index_alias):
            return {}
        self.engine.indices.refresh(index=self.config.index_alias)
        body = {
            "size": 0,
            "query": {"prefix": {"key": prefix}},
            "aggs": {"keys": {"terms": {"field": "key", "size": 1000}}},
        }
        answer = self.engine.search(index=self.config.index_alias, body=body)
        return {b["key"]: b["doc_count"] for b in answer["aggregations"]["keys"]["buckets"]}

    def search(self, **params: Any) -> requests.Response:
        return requests.get(f"{self.config.api_url}/search", params=params, timeout=15)


@pytest.fixture(scope="module")
def fault_stack() -> Iterator[FaultStack]:
    base = Path(os.environ.get("DOCSEARCH_STATE", cache_home() / "state"))
    config = StackConfig(
        state=base.with_name(base.name + "-faults"),
        opensearch_port=FAULT_OPENSEARCH_PORT,
        aws_port=_free_port(),
        api_port=_free_port(),
        visibility_timeout_s=VISIBILITY_TIMEOUT_S,
        index_alias="articles-faults",
    )
    # A node left over from an interrupted run on 9210 would be reused by stack.up: only if it is ours.
    # Its data is the test's own: start from an empty node, whatever an earlier run left behind.
    if read_pid(config.pidfile("opensearch")) is None:
        shutil.rmtree(opensearch.data_home(config.state) / "data", ignore_errors=True)
    config.state.mkdir(parents=True, exist_ok=True)
    heap, opensearch.HEAP = opensearch.HEAP, FAULT_HEAP
    try:
        stack.up(config)
    except BaseException:
        stack.down(config)
        raise
    finally:
        opensearch.HEAP = heap
    faults = FaultStack(config)
    faults.engine.indices.delete(index=f"{config.index_alias}-v*", ignore_unavailable=True)
    yield faults
    stack.down(config)


def _article(word: str, i: int) -> bytes:
    return f"Banjir {word} nomor {i}\nHujan deras membuat banjir {word} di kawasan nomor {i} pada pagi hari.".encode()


def test_poison_messages_are_dropped_alone_without_blocking_the_queue(fault_stack: FaultStack) -> None:
    config = fault_stack.config
    word = f"zp{uuid.uuid4().hex[:8]}"
    poison = ["not json at all", json.dumps({"unknown": "shape"}), json.dumps({"Records": [{"eventName": 1}]}), "{}"]
    for body in poison:
        fault_stack.sqs.send_message(QueueUrl=fault_stack.queue_url, MessageBody=body)
    key = f"poison/{word}.txt"
    fault_stack.s3.put_object(Bucket=config.bucket, Key=key, Body=_article(word, 0))

    eventually(
        lambda: fault_stack.counts_by_key("poison/") == {key: 1}, "good article indexed past the poison", timeout_s=60
    )
    eventually(fault_stack.drained, "poison messages removed from the queue", timeout_s=60)
    assert fault_stack.depths()["dlq"]["visible"] == 0  # dropped with a logged reason, not retried into the DLQ
    log = config.log("worker").read_text()
    assert "malformed_message" in log


def test_engine_outage_mid_ingest_loses_nothing(fault_stack: FaultStack) -> None:
    config = fault_stack.config
    word = f"zf{uuid.uuid4().hex[:8]}"
    prefix = f"outage-{word}/"
    keys = [f"{prefix}{i:02d}.txt" for i in range(20)]
    api_pid = read_pid(config.pidfile("api"))
    for i, key in enumerate(keys[:10]):
        fault_stack.s3.put_object(Bucket=config.bucket, Key=key, Body=_article(word, i))
    fault_stack.stop_engine()  # in the middle of the run: some of the first ten may be in, some not
    for i, key in enumerate(keys[10:], start=10):
        fault_stack.s3.put_object(Bucket=config.bucket, Key=key, Body=_article(word, i))

    # Search while the engine is down: 503, Retry-After, JSON, no engine text.
    down = fault_stack.search(q=word)
    assert down.status_code == 503
    assert down.headers["Retry-After"].isdigit()
    assert down.json()["error"]["code"] == "engine_unavailable"
    assert "Traceback" not in down.text and "urllib3" not in down.text and "9210" not in down.text
    assert requests.get(f"{config.api_url}/health", timeout=15).status_code == 503

    # Failed messages go back to the queue and reach the DLQ only after the configured receives.
    eventually(lambda: fault_stack.drained() and fault_stack.depths()["dlq"]["visible"] > 0, "messages in DLQ", 90)
    peek = fault_stack.sqs.receive_message(
        QueueUrl=fault_stack.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0, AttributeNames=["All"]
    )
    receives = [int(m["Attributes"]["ApproximateReceiveCount"]) for m in peek.get("Messages", [])]
    assert receives and min(receives) >= config.max_receive_count

    fault_stack.start_engine()
    in_dlq = fault_stack.depths()["dlq"]["visible"]
    assert redrive(fault_stack.sqs, fault_stack.dlq_url, fault_stack.queue_url) == in_dlq
    assert fault_stack.depths()["dlq"]["visible"] == 0

    # Every uploaded article indexed exactly once; nothing left in either queue.
    eventually(lambda: fault_stack.counts_by_key(prefix) == dict.fromkeys(keys, 1), "all 20 indexed once", 60)
    eventually(fault_stack.drained, "queue drained", timeout_s=60)
    assert fault_stack.depths()["dlq"]["visible"] == 0

    # The search API recovered without a restart.
    assert read_pid(config.pidfile("api")) == api_pid
    up = fault_stack.search(q=word, size=50)
    assert up.status_code == 200
    assert up.json()["total"] == 20
