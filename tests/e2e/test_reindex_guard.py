"""`docsearch reindex` cannot shrink the index by accident (issue 21), on the local stack's engine and bucket.

Before: ``reindex --from-bucket --prefix P`` exited 0 having dropped everything outside P, and a rebuild
from a bucket that had lost most of its objects (a restarted local emulator) dropped them from the index.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch_local.paths import StackConfig
from tests.e2e.test_cli_commands import run, run_json

pytestmark = pytest.mark.e2e


def _bucket(s3: Any, config: StackConfig, keys: list[str]) -> str:
    bucket = f"rg-{uuid.uuid4().hex[:8]}"  # no notifications: only the commands below touch the index
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": config.region})
    for n, key in enumerate(keys):
        body = f"Banjir {key}\nBanjir merendam kelurahan nomor {n} di Jakarta; warga mengungsi ke posko.\n"
        s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
    return bucket


def _live_keys(engine: OpenSearch, alias: str) -> list[str]:
    engine.indices.refresh(index=alias)
    body = {"size": 100, "query": {"bool": {"must_not": [{"term": {"deleted": True}}]}}}
    return sorted(hit["_source"]["key"] for hit in engine.search(index=alias, body=body)["hits"]["hits"])


def test_a_prefix_reindex_keeps_what_is_outside_the_prefix(
    engine: OpenSearch, index_alias: str, local_stack: StackConfig, s3: Any
) -> None:
    keys = ["lama/1.txt", "lama/2.txt", "lama/3.txt", "baru/1.txt"]
    bucket = _bucket(s3, local_stack, keys)
    assert run_json("backfill", "--bucket", bucket, "--index", index_alias)["indexed"] == 4

    summary = run_json(
        "reindex",
        "--from-bucket",
        "--prefix",
        "baru/",
        "--bucket",
        bucket,
        "--index",
        index_alias,
        "--in-flight-s",
        "0",
    )
    assert _live_keys(engine, index_alias) == sorted(keys)
    assert (summary["copied"], summary["kept_outside"]) == (1, 3)
    status = run_json("status", "lama/1.txt", "--bucket", bucket, "--index", index_alias)
    assert status["keys"][0]["state"] == "indexed"


def test_a_swap_that_drops_most_documents_is_refused_unless_allowed(
    engine: OpenSearch, index_alias: str, local_stack: StackConfig, s3: Any
) -> None:
    keys = [f"arsip/{n}.txt" for n in range(10)]
    bucket = _bucket(s3, local_stack, keys)
    assert run_json("backfill", "--bucket", bucket, "--index", index_alias)["indexed"] == 10
    live = sorted(engine.indices.get_alias(name=index_alias))
    for key in keys[:6]:  # gone from the bucket with no event: as after an emulator restart
        s3.delete_object(Bucket=bucket, Key=key)

    refused = run("reindex", "--from-bucket", "--bucket", bucket, "--index", index_alias, "--json")
    assert refused.returncode == 1
    message = json.loads(refused.stdout)["error"]["message"]
    assert "would drop 6" in message and "--allow-shrink" in message
    assert sorted(engine.indices.get_alias(name=index_alias)) == live  # nothing swapped
    assert _live_keys(engine, index_alias) == sorted(keys)
    assert sorted(engine.indices.get(index=f"{index_alias}-v*")) == live  # the new index is gone

    allowed = run_json("reindex", "--from-bucket", "--allow-shrink", "--bucket", bucket, "--index", index_alias)
    assert (allowed["live_before"], allowed["live_after"]) == (10, 4)
    assert _live_keys(engine, index_alias) == sorted(keys[6:])


def test_prefix_without_from_bucket_is_a_usage_error(index_alias: str, local_stack: StackConfig) -> None:
    done = run("reindex", "--prefix", "baru/", "--index", index_alias)
    assert done.returncode == 2 and "--from-bucket" in done.stderr
