"""Waiting until something holds, and percentiles of measured times (shared by the stack, tests, bench, load)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = 30, interval_s: float = 0.5) -> None:
    """Poll ``check`` until it holds; ``TimeoutError`` naming ``what`` if it does not within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        if check():
            return
        if time.monotonic() + interval_s > deadline:
            raise TimeoutError(f"not within {timeout_s}s: {what}")
        time.sleep(interval_s)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100): a value that was measured; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]
