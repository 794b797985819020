"""Backfill: list a bucket with a paginator and index it through the ingest path (real engine, S3 emulation)."""

import uuid
from pathlib import Path
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.ingest.backfill import backfill
from docsearch_local.paths import StackConfig

pytestmark = pytest.mark.integration
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "articles"


def test_backfill_indexes_a_prefix_then_finds_it_unchanged(
    engine: OpenSearch, index_alias: str, local_stack: StackConfig, s3: Any
) -> None:
    prefix = f"bf-{uuid.uuid4().hex[:8]}/"
    articles = sorted(SAMPLES.iterdir())
    for path in articles:
        s3.put_object(Bucket=local_stack.bucket, Key=prefix + path.name, Body=path.read_bytes())
    s3.put_object(Bucket=local_stack.bucket, Key=prefix + "kosong.txt", Body=b"")
    s3.put_object(Bucket=local_stack.bucket, Key=prefix + "gambar.jpg", Body=b"\xff\xd8\xff\xe0")
    s3.put_object(Bucket=local_stack.bucket, Key=prefix + "folder/", Body=b"")
    progress: list[tuple[int, int]] = []

    summary = backfill(
        s3, local_stack.bucket, prefix, engine, index_alias, lambda d, t: progress.append((d, t)), batch_size=5
    )
    total = len(articles) + 2
    assert (summary.listed, summary.indexed, summary.unchanged, summary.failed) == (total, len(articles), 0, 0)
    assert summary.skipped == {"empty": 1, "unsupported_format": 1}
    assert progress[0] == (0, total) and progress[-1] == (total, total) and len(progress) == 1 + -(-total // 5)
    engine.indices.refresh(index=index_alias)
    hits = engine.search(index=index_alias, body={"query": {"match": {"body": "pengungsi"}}})["hits"]["hits"]
    assert [hit["_source"]["key"] for hit in hits] == [prefix + "06-banjir-jakarta-pengungsi.txt"]
    versions = {h["_id"]: h["_version"] for h in _all(engine, index_alias)}

    again = backfill(s3, local_stack.bucket, prefix, engine, index_alias)
    assert (again.indexed, again.unchanged) == (0, len(articles))
    assert {h["_id"]: h["_version"] for h in _all(engine, index_alias)} == versions  # no write at all


def _all(engine: OpenSearch, index: str) -> list[dict[str, Any]]:
    engine.indices.refresh(index=index)
    return list(
        engine.search(index=index, body={"size": 100, "version": True, "query": {"match_all": {}}})["hits"]["hits"]
    )
