"""Fixtures shared by the tiers that run on the real local stack (integration and e2e).

Each tier's own shared fixtures live in its folder's conftest.py.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.search.client import SearchClient
from docsearch_local import stack
from docsearch_local.aws_resources import clients
from docsearch_local.paths import StackConfig, stack_config


@pytest.fixture(scope="session")
def local_stack() -> Iterator[StackConfig]:
    """The whole local stack: what is running is reused, what is not is started now and stopped at the end."""
    config = stack_config()
    started = stack.up(config)
    os.environ.update(config.env())
    s3, _ = clients(config)
    before = _keys(s3, config.bucket)
    since = datetime.now(UTC).isoformat(timespec="seconds")
    yield config
    _leave_no_test_data(config, s3, before, since)
    stack.down(config, started)


def _keys(s3: Any, bucket: str) -> set[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {obj["Key"] for page in pages for obj in page.get("Contents", [])}


def _leave_no_test_data(config: StackConfig, s3: Any, before: set[str], since: str) -> None:
    """A developer's running stack gets back its bucket and index as they were (tests upload to both)."""
    for key in _keys(s3, config.bucket) - before:
        s3.delete_object(Bucket=config.bucket, Key=key)
    config.engine().delete_by_query(
        index=config.index_alias,
        body={"query": {"range": {"indexed_at": {"gte": since}}}},
        params={"conflicts": "proceed", "ignore_unavailable": "true", "refresh": "true"},
    )


@pytest.fixture(scope="session")
def engine(local_stack: StackConfig) -> OpenSearch:
    return local_stack.engine()


@pytest.fixture(scope="session")
def reader(local_stack: StackConfig) -> SearchClient:
    """The search function's engine client (its reads), on the local engine."""
    return local_stack.search_client()


@pytest.fixture(scope="session")
def s3(local_stack: StackConfig) -> Any:
    """The S3 client of the local stack (the emulator, the stack's region and local credentials)."""
    return clients(local_stack)[0]


@pytest.fixture(scope="session")
def sqs(local_stack: StackConfig) -> Any:
    return clients(local_stack)[1]


@pytest.fixture
def index_alias(engine: OpenSearch) -> Iterator[str]:
    """A fresh, uniquely named alias (and its index) for one test; deleted afterwards."""
    alias = f"test-{uuid.uuid4().hex[:12]}"
    yield alias
    engine.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)
