"""End-to-end tier: HTTP and the CLI against the running local stack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from docsearch_local.paths import StackConfig


@pytest.fixture
def search_api(local_stack: StackConfig) -> Callable[..., requests.Response]:
    """``search_api(q=..., size=...)``: GET /search on the stack's API."""

    def get(**params: Any) -> requests.Response:
        return requests.get(f"{local_stack.api_url}/search", params=params, timeout=10)

    return get
