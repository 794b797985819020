"""The local stack behaves as AWS does where the ingest path relies on it (issue 21).

S3 notifications carry sequencers in the order of a key's writes; the bucket and the queues survive
``make down`` / ``make up``; the engine runs with no parent in between that a SIGSTOP could leave stopped;
a worker that died is restarted by the next ``up``, never reported up.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from docsearch.ingest.state import is_older, normalize_sequencer
from docsearch_local import stack
from docsearch_local.paths import StackConfig
from docsearch_local.processes import pid_alive, process_state, read_pid
from tests.support import eventually

pytestmark = pytest.mark.e2e


def _queue_with_notifications(s3: Any, sqs: Any, config: StackConfig) -> tuple[str, str]:
    name = f"seq-{uuid.uuid4().hex[:8]}"
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": config.region})
    events = {"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]}
    s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=events)
    return name, queue_url


def _records(sqs: Any, queue_url: str, wanted: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + 30
    while len(records) < wanted and time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            records += json.loads(message["Body"]).get("Records", [])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return records


def test_notifications_carry_sequencers_in_the_order_of_the_writes(local_stack: StackConfig, s3: Any, sqs: Any) -> None:
    bucket, queue_url = _queue_with_notifications(s3, sqs, local_stack)
    for n in range(5):
        s3.put_object(Bucket=bucket, Key="berita/a.txt", Body=f"versi {n}".encode())
    s3.delete_object(Bucket=bucket, Key="berita/a.txt")
    records = _records(sqs, queue_url, 6)
    assert [r["eventName"].split(":")[0] for r in records] == ["ObjectCreated"] * 5 + ["ObjectRemoved"]
    sequencers = [normalize_sequencer(r["s3"]["object"]["sequencer"]) for r in records]
    assert all(int(s, 16) for s in sequencers)  # hex, as S3 sends them
    assert all(is_older(a, b) for a, b in itertools.pairwise(sequencers))


def test_the_bucket_and_queues_survive_down_and_up(local_stack: StackConfig, s3: Any, sqs: Any) -> None:
    key = f"persist/{uuid.uuid4().hex[:8]}.txt"
    body = b"Banjir Kemang\nBanjir setinggi lutut merendam Kemang pagi ini; warga mengungsi.\n"
    s3.put_object(Bucket=local_stack.bucket, Key=key, Body=body, ContentType="text/plain")
    parked = f"parked-{uuid.uuid4().hex[:8]}"  # a queue nothing consumes, holding one message
    parked_url = sqs.create_queue(QueueName=parked)["QueueUrl"]
    sqs.send_message(QueueUrl=parked_url, MessageBody="tunggu")
    time.sleep(1.5)  # the emulator writes its objects to the state folder every 0.5 s

    stack.down(local_stack)
    stack.up(local_stack)

    got = s3.get_object(Bucket=local_stack.bucket, Key=key)
    assert got["Body"].read() == body and got["ContentType"] == "text/plain"
    answer = sqs.receive_message(QueueUrl=sqs.get_queue_url(QueueName=parked)["QueueUrl"], WaitTimeSeconds=2)
    assert [m["Body"] for m in answer.get("Messages", [])] == ["tunggu"]


def _engine_pid(config: StackConfig) -> int:
    pid = read_pid(config.pidfile("opensearch"))
    assert pid is not None
    return pid


def _session(pid: int) -> list[int]:
    """Every process of the engine's session (the stack starts each part in its own)."""
    sid = os.getsid(pid)
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == sid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="the service user exists only when the stack runs as root")
def test_the_engine_runs_with_no_parent_a_sigstop_could_leave_stopped(local_stack: StackConfig) -> None:
    pid = _engine_pid(local_stack)
    engine = next(p for p in _session(pid) if Path(f"/proc/{p}/comm").read_text().strip() == "java")
    os.kill(engine, signal.SIGSTOP)
    try:
        eventually(lambda: process_state(engine) == "T", "the engine stopped", timeout_s=10)
    finally:
        os.kill(engine, signal.SIGCONT)
    eventually(lambda: process_state(engine) != "T", "the engine continued", timeout_s=10)
    time.sleep(0.5)
    assert [p for p in _session(pid) if process_state(p) == "T"] == []
    assert engine == pid  # the pid the stack records and stops is the engine's own
    eventually(lambda: bool(stack.report(local_stack)["parts"]["opensearch"]["up"]), "engine up", timeout_s=60)  # type: ignore[index]


def test_up_restarts_a_worker_that_died(local_stack: StackConfig) -> None:
    before = read_pid(local_stack.pidfile("worker"))
    assert before is not None
    os.kill(before, signal.SIGKILL)
    eventually(lambda: not pid_alive(before), "the worker gone", timeout_s=10)
    assert stack.report(local_stack)["parts"]["worker"]["up"] is False  # type: ignore[index]
    stack.up(local_stack)
    after = read_pid(local_stack.pidfile("worker"))
    assert after is not None and after != before and pid_alive(after)


def test_up_warns_when_the_bucket_lost_what_the_index_holds(
    local_stack: StackConfig, s3: Any, index_alias: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from docsearch.index.definition import ensure_index

    bucket = f"lost-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": local_stack.region})
    config = dataclasses.replace(local_stack, bucket=bucket, index_alias=index_alias)
    engine = local_stack.engine()
    ensure_index(engine, index_alias)
    for n in range(10):
        engine.index(index=index_alias, id=str(n), body={"key": f"a/{n}.txt", "title": "Banjir", "body": "Banjir."})
    s3.put_object(Bucket=bucket, Key="a/0.txt", Body=b"Banjir\n\nBanjir.")
    assert stack.warn_if_bucket_lost(config, engine)
    assert "10 live documents" in capsys.readouterr().out
    for n in range(1, 10):
        s3.put_object(Bucket=bucket, Key=f"a/{n}.txt", Body=b"Banjir\n\nBanjir.")
    assert not stack.warn_if_bucket_lost(config, engine)
