"""Helpers shared by the test tiers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from docsearch_local.timing import wait_until


def eventually(check: Callable[[], bool], what: str, timeout_s: float = 30) -> None:
    """Poll ``check`` until it holds; fail the test with ``what`` if it does not within ``timeout_s``."""
    try:
        wait_until(check, what, timeout_s)
    except TimeoutError as error:
        pytest.fail(str(error))
