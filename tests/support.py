"""Helpers shared by the test tiers."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest


def eventually(check: Callable[[], bool], what: str, timeout_s: float = 30) -> None:
    """Poll ``check`` until it holds; fail the test with ``what`` if it does not within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    pytest.fail(f"not within {timeout_s}s: {what}")
