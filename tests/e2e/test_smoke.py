"""`docsearch smoke` against the local stack: the operator's check after a deploy, run as a subprocess."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch_cli.smoke import PROBE_PREFIX
from docsearch_local.aws_resources import clients
from docsearch_local.paths import StackConfig
from tests.e2e.test_cli_commands import run

pytestmark = pytest.mark.e2e


def _probe_keys(config: StackConfig) -> list[str]:
    s3, _ = clients(config)
    listing = s3.list_object_versions(Bucket=config.bucket, Prefix=PROBE_PREFIX)
    return [v["Key"] for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]


def _probe_documents(engine: OpenSearch, config: StackConfig, token: str) -> int:
    engine.indices.refresh(index=config.index_alias)
    query: dict[str, Any] = {"query": {"match": {"title": token}}}
    return int(engine.count(index=config.index_alias, body=query)["count"])


def test_smoke_passes_on_the_local_stack_and_leaves_nothing(local_stack: StackConfig, engine: OpenSearch) -> None:
    done = run("smoke", "--json", "--timeout", "90")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [s["step"] for s in report["steps"]] == ["upload", "searchable", "document", "delete", "gone", "purge"]
    assert report["key"] == f"{PROBE_PREFIX}{report['token']}.json"
    assert all(s["seconds"] < 90 for s in report["steps"])
    assert _probe_keys(local_stack) == []  # no object, no version, no delete marker
    assert _probe_documents(engine, local_stack, report["token"]) == 0

    plain = run("smoke", "--timeout", "90")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.strip().endswith("smoke test passed") and "searchable" in plain.stdout


def test_smoke_fails_with_exit_1_and_still_removes_its_probe(local_stack: StackConfig) -> None:
    with socket.socket() as closed:  # a port nothing listens on: the API is unreachable
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    done = run("smoke", "--api-url", f"http://127.0.0.1:{port}", "--timeout", "10")
    assert done.returncode == 1
    assert "cannot reach the search API" in done.stderr and "Traceback" not in done.stderr
    s3, _ = clients(local_stack)
    current = s3.list_objects_v2(Bucket=local_stack.bucket, Prefix=PROBE_PREFIX).get("KeyCount", 0)
    assert current == 0  # deleted in the failure path too


def test_smoke_usage_errors_exit_2() -> None:
    assert run("smoke", "--timeout", "1").returncode == 2  # below the 5 s floor
    assert run("smoke", "--bucket", "b", "--region", "ap-southeast-3", "--json").returncode == 2  # no API URL
