"""Ingest against the real engine and the S3 emulation: the handler path without the queue."""

import json
import uuid
from typing import Any

import boto3
import pytest
from opensearchpy import OpenSearch

from docsearch.article import document_id
from docsearch.index import ensure_index
from docsearch.ingest import ingest_messages
from docsearch.objects import fetch_object
from docsearch_local.lambda_context import LocalContext
from docsearch_local.paths import StackConfig

pytestmark = pytest.mark.integration


def _message(event_name: str, bucket: str, key: str) -> str:
    from urllib.parse import quote_plus

    record = {"eventName": event_name, "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key)}}}
    return json.dumps({"Records": [record]})


@pytest.fixture
def s3(local_stack: StackConfig) -> Any:
    return boto3.client("s3", endpoint_url=local_stack.aws_url, region_name=local_stack.region)


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
            ("m1", _message("ObjectCreated:Put", bucket, good)),
            ("m2", _message("ObjectCreated:Put", bucket, empty)),
            ("m3", "this is not an S3 notification"),
            ("m4", _message("ObjectCreated:Put", bucket, f"{prefix}/already-gone.txt")),
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
    ingest_messages([("m5", _message("ObjectCreated:Put", bucket, good))], engine, index_alias, _fetch)
    engine.indices.refresh(index=index_alias)
    assert engine.count(index=index_alias)["count"] == 1
    assert engine.get(index=index_alias, id=document_id(bucket, good))["_source"]["title"] == "Banjir Surut"

    outcomes = ingest_messages([("m6", _message("ObjectRemoved:Delete", bucket, good))], engine, index_alias, _fetch)
    assert outcomes["m6"].deleted == 1
    engine.indices.refresh(index=index_alias)
    assert engine.count(index=index_alias)["count"] == 0


def test_engine_down_asks_for_retry(index_alias: str, s3: Any, local_stack: StackConfig) -> None:
    s3.put_object(Bucket=local_stack.bucket, Key="it-down.txt", Body=b"Judul\nIsi.")
    unreachable = OpenSearch(hosts=["http://127.0.0.1:9"], timeout=1, max_retries=0)
    outcomes = ingest_messages(
        [("m1", _message("ObjectCreated:Put", local_stack.bucket, "it-down.txt"))], unreachable, index_alias, _fetch
    )
    assert outcomes["m1"].status == "retry"


def test_handler_returns_whole_batch_when_engine_is_down(
    monkeypatch: pytest.MonkeyPatch, local_stack: StackConfig
) -> None:
    from docsearch import engine as engine_module
    from docsearch import settings as settings_module
    from functions.ingest import app

    monkeypatch.setenv("OPENSEARCH_URL", "http://127.0.0.1:9")
    settings_module.get_settings.cache_clear()
    engine_module.get_client.cache_clear()
    try:
        event = {
            "Records": [
                {
                    "messageId": "a",
                    "receiptHandle": "r",
                    "body": "{}",
                    "attributes": {},
                    "messageAttributes": {},
                    "md5OfBody": "",
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:ap-southeast-3:0:q",
                    "awsRegion": "ap-southeast-3",
                }
            ]
        }
        with pytest.raises(Exception):  # engine down before anything is read: the whole batch is retried
            app.lambda_handler(event, LocalContext("ingest"))
    finally:
        settings_module.get_settings.cache_clear()
        engine_module.get_client.cache_clear()
