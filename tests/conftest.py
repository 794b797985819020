"""Shared fixtures: the real local stack (started for the session if it is not already up)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from docsearch_local import stack
from docsearch_local.paths import StackConfig, stack_config


@pytest.fixture(scope="session")
def local_stack() -> Iterator[StackConfig]:
    """The whole local stack: what is running is reused, what is not is started now and stopped at the end."""
    config = stack_config()
    started = stack.up(config)
    os.environ.update(config.env())
    yield config
    stack.down(config, started)


@pytest.fixture(scope="session")
def engine(local_stack: StackConfig) -> OpenSearch:
    return OpenSearch(hosts=[local_stack.opensearch_url], timeout=30)


@pytest.fixture
def index_alias(engine: OpenSearch) -> Iterator[str]:
    """A fresh, uniquely named alias (and its index) for one test; deleted afterwards."""
    alias = f"test-{uuid.uuid4().hex[:12]}"
    yield alias
    engine.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)
