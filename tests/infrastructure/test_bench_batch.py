"""The ingest bench's baseline writes batches of the size the queue hands the ingest function, so its ratio
compares the same batch shape (bench/run.py; template.yaml, IngestFunction's SQS event)."""

from __future__ import annotations

from bench.run import BATCH
from tests.infrastructure.test_template import load_template


def test_the_bench_baseline_batches_as_the_queue_feeds_the_ingest_function() -> None:
    events = load_template()["Resources"]["IngestFunction"]["Properties"]["Events"]
    [sqs] = [e["Properties"] for e in events.values() if e["Type"] == "SQS"]
    assert sqs["BatchSize"] == BATCH
