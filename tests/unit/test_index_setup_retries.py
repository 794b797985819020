"""The deploy's index setup retries a refused or unreachable engine for a while, then answers in time."""

from __future__ import annotations

import pytest
from opensearchpy.exceptions import ConnectionTimeout

from functions.index_setup import app


def test_calls_that_hang_to_their_timeout_use_up_the_settle_time() -> None:
    now, calls = [0.0], []

    def call() -> str:
        calls.append(now[0])
        now[0] += 20  # each call waits out the engine client's timeout
        raise ConnectionTimeout("TIMEOUT", "timed out", None)

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(ConnectionTimeout):
        app._settled(call, app.SETTLE_S, sleep, clock=lambda: now[0])
    # Counting waits alone, 25 calls took 740 s: past the function's 300 s timeout, with no answer sent.
    assert now[0] <= app.SETTLE_S + 20
    assert len(calls) == 9  # the last one started at 240 s


def test_a_quick_refusal_is_tried_once_per_wait_then_its_error_is_the_answer() -> None:
    waits: list[float] = []

    def call() -> str:
        raise ConnectionTimeout("TIMEOUT", "timed out", None)

    with pytest.raises(ConnectionTimeout):
        app._settled(call, 25, waits.append, clock=lambda: 0.0)
    assert waits == [app.RETRY_EVERY_S] * 2
