"""Ingest against the real engine and the S3 emulation: the handler path without the queue."""

import dataclasses
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from opensearchpy import OpenSearch

from docsearch.engine import build_client
from docsearch.index.definition import ensure_index
from docsearch.ingest.article import document_id
from docsearch.ingest.batch import ingest_messages
from docsearch.ingest.objects import fetch_object
from docsearch.ingest.status import key_statuses
from docsearch_local.events import s3_notification, to_sqs_event
from docsearch_local.lambda_context import LocalContext
from docsearch_local.paths import StackConfig

pytestmark = pytest.mark.integration


def _fetch(bucket: str, key: str) -> Any:
    return fetch_object(bucket, key, 1024 * 1024)


def test_batch_indexes_replaces_skips_and_deletes(
    engine: OpenSearch, index_alias: str, s3: Any, local_stack: StackConfig
) -> None:
    bucket = local_stack.bucket
    prefix = f"it-{uuid.uuid4().hex[:8]}"
    good, empty = f"{prefix}/berita satu+é.txt", f"{prefix}/kosong.txt"
    s3.put_object(Bucket=bucket, Key=good, Body=b"Banjir Jakarta\nRibuan warga mengungsi akibat banjir.")
    s3.put_object(Bucket=bucket, Key=empty, Body=b"")
    ensure_index(engine, index_alias)

    outcomes = ingest_messages(
        [
            ("m1", s3_notification(bucket, good)),
            ("m2", s3_notification(bucket, empty)),
            ("m3", "this is not an S3 notification"),
            ("m4", s3_notification(bucket, f"{prefix}/already-gone.txt")),
        ],
        engine,
        index_alias,
        _fetch,
    )
    assert outcomes["m1"].status == "done" and outcomes["m1"].indexed == 1
    assert outcomes["m2"].skipped == ["empty"]
    assert outcomes["m3"].skipped == ["malformed_message"]
    assert outcomes["m4"].skipped == ["object_missing"]
    doc = engine.get(index=index_alias, id=document_id(bucket, good))["_source"]
    assert doc["title"] == "Banjir Jakarta" and doc["key"] == good

    s3.put_object(Bucket=bucket, Key=good, Body=b"Banjir Surut\nWarga kembali ke rumah.")
    ingest_messages([("m5", s3_notification(bucket, good))], engine, index_alias, _fetch)
    engine.indices.refresh(index=index_alias)
    assert _live(engine, index_alias) == 1
    assert engine.get(index=index_alias, id=document_id(bucket, good))["_source"]["title"] == "Banjir Surut"

    outcomes = ingest_messages(
        [("m6", s3_notification(bucket, good, "ObjectRemoved:Delete"))], engine, index_alias, _fetch
    )
    assert outcomes["m6"].deleted == 1
    engine.indices.refresh(index=index_alias)
    assert _live(engine, index_alias) == 0


def test_engine_down_asks_for_retry(index_alias: str, s3: Any, local_stack: StackConfig) -> None:
    s3.put_object(Bucket=local_stack.bucket, Key="it-down.txt", Body=b"Judul\nIsi.")
    unreachable = dataclasses.replace(local_stack.settings(timeout_s=1), opensearch_url="http://127.0.0.1:9")
    outcomes = ingest_messages(
        [("m1", s3_notification(local_stack.bucket, "it-down.txt"))], build_client(unreachable), index_alias, _fetch
    )
    assert outcomes["m1"].status == "retry"


def test_handler_returns_whole_batch_when_engine_is_down(use_functions: Callable[..., Any]) -> None:
    from functions.ingest import app

    use_functions(opensearch_url="http://127.0.0.1:9")
    body = s3_notification("docsearch-nowhere", "berita/a.txt")
    event = to_sqs_event(
        [{"MessageId": "a", "ReceiptHandle": "r", "Body": body}], "arn:aws:sqs:ap-southeast-3:0:q", "ap-southeast-3"
    )
    # engine down before anything is written: every message fails, and Powertools fails the whole batch
    with pytest.raises(BatchProcessingError, match="All records failed"):
        app.lambda_handler(event, LocalContext("ingest"))


def test_bad_files_are_skipped_without_poisoning_the_batch(
    engine: OpenSearch, index_alias: str, s3: Any, local_stack: StackConfig
) -> None:
    bucket = local_stack.bucket
    prefix = f"it-bad-{uuid.uuid4().hex[:8]}"
    files = {
        "good.txt": b"Pasar Murah Digelar\nPemerintah kota menggelar pasar murah di lima kecamatan.",
        "foto.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        "rusak.json": b'{"title": "Judul", "body": ',
        "kosong.html": b"<html><body><nav><a href='/'>Beranda</a></nav><footer>Hak cipta</footer></body></html>",
        "besar.txt": b"Judul Besar\n" + b"Isi berita panjang sekali. " * 100,
        "laporan.pdf": b"%PDF-1.7",
        "tabel.xlsx": b"PK\x03\x04",
    }
    for name, body in files.items():
        s3.put_object(Bucket=bucket, Key=f"{prefix}/{name}", Body=body)
    ensure_index(engine, index_alias)
    messages = [(name, s3_notification(bucket, f"{prefix}/{name}")) for name in files]
    outcomes = ingest_messages(messages, engine, index_alias, lambda b, k: fetch_object(b, k, 1024))
    assert all(outcome.status == "done" for outcome in outcomes.values())
    assert outcomes["good.txt"].indexed == 1
    assert {name: outcomes[name].skipped for name in files if name != "good.txt"} == {
        "foto.txt": ["binary"],
        "rusak.json": ["invalid_json"],
        "kosong.html": ["no_article_text"],
        "besar.txt": ["too_large"],
        "laporan.pdf": ["invalid_pdf"],
        "tabel.xlsx": ["unsupported_format"],
    }
    engine.indices.refresh(index=index_alias)
    assert _live(engine, index_alias) == 1
    # Each skip is on record, with its reason, for `docsearch status` and `docsearch upload`.
    statuses = key_statuses(engine, index_alias, bucket, [f"{prefix}/{name}" for name in files])
    assert {Path(k).name: (s.state, s.reason) for k, s in statuses.items()} == {
        "good.txt": ("indexed", None),
        **{name: ("skipped", outcomes[name].skipped[0]) for name in files if name != "good.txt"},
    }
    assert statuses[f"{prefix}/besar.txt"].describes("?", len(files["besar.txt"]))  # too large: known by size


def _live(engine: OpenSearch, index: str) -> int:
    """Documents that are articles (not tombstones or skip records)."""
    return int(engine.count(index=index, body={"query": {"term": {"deleted": False}}})["count"])


def test_transient_fetch_error_retries_only_its_message(
    engine: OpenSearch, index_alias: str, s3: Any, local_stack: StackConfig
) -> None:
    s3.put_object(Bucket=local_stack.bucket, Key="it-ok.txt", Body=b"Judul Baik\nIsi berita yang baik.")
    ensure_index(engine, index_alias)

    def flaky(bucket: str, key: str) -> Any:
        if key == "it-throttled.txt":
            raise ConnectionError("SlowDown")
        return _fetch(bucket, key)

    outcomes = ingest_messages(
        [
            ("ok", s3_notification(local_stack.bucket, "it-ok.txt")),
            ("slow", s3_notification(local_stack.bucket, "it-throttled.txt")),
        ],
        engine,
        index_alias,
        flaky,
    )
    assert outcomes["ok"].status == "done" and outcomes["ok"].indexed == 1
    assert outcomes["slow"].status == "retry"


def test_a_batch_reads_its_objects_concurrently(engine: OpenSearch, index_alias: str, local_stack: StackConfig) -> None:
    import threading
    import time as clock

    from docsearch.ingest.objects import StoredObject

    ensure_index(engine, index_alias)
    active, peak = 0, 0
    lock = threading.Lock()

    def slow_fetch(bucket: str, key: str) -> StoredObject:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        clock.sleep(0.2)  # a network read
        with lock:
            active -= 1
        return StoredObject(bucket, key, f"Judul {key}\nIsi berita {key} yang cukup panjang.".encode())

    messages = [(f"m{i}", s3_notification("b", f"k{i}.txt")) for i in range(6)]
    outcomes = ingest_messages(messages, engine, index_alias, slow_fetch)
    assert all(o.indexed == 1 for o in outcomes.values())
    assert peak > 1


def test_events_never_auto_create_an_index_without_our_mapping(engine: OpenSearch, index_alias: str) -> None:
    from docsearch.ingest.objects import StoredObject

    # No ensure_index: the alias does not exist (as if it were removed under a warm function).
    outcomes = ingest_messages(
        [("m1", s3_notification("b", "a.txt")), ("m2", s3_notification("b", "c.txt", "ObjectRemoved:Delete"))],
        engine,
        index_alias,
        lambda bucket, key: StoredObject(bucket, key, b"Judul\nIsi berita yang cukup panjang untuk diindeks."),
    )
    assert outcomes["m1"].status == "retry"  # back to the queue; the next batch's ensure_index creates it
    assert not engine.indices.exists(index=index_alias)
