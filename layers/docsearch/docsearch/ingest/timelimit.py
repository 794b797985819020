"""A CPU-time limit around one object's extraction, so no single object can stall a batch.

Extraction is CPU-bound Python (regular expressions, readability's scoring). A thread cannot be
stopped from outside, but the main thread can be interrupted by a signal: ``SIGPROF`` fires after
``seconds`` of CPU time and its handler raises :class:`TooSlow`; the regular-expression engine checks
for signals every few thousand steps, so even one long match is cut short. Lambda runs the handler in
the main thread. CPU time rather than wall time: a Lambda function gets a fraction of a core below
1,769 MB, so wall time would skip a normal large article on a small function; the batch's wall-clock
deadline is checked between objects instead (see ``batch``). Elsewhere than the main thread no signal
can be delivered, and the limit is checked when the block ends (the object still counts as too slow).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from docsearch.ingest.extract.errors import Unindexable

# About a second of CPU per MB of input (the default MaxObjectBytes, 10 MB: 11 s), plus a base for small
# objects. A generated 10 MB article extracts in 1.1 s of CPU (docs/reliability-bounds.md): 10x headroom.
BASE_S = 1.0
SECONDS_PER_MB = 1.0
# If a handler swallows the first TooSlow (a broad ``except``), it is raised again this often.
REPEAT_S = 0.05


class TooSlow(Unindexable):
    """The object took more than its extraction budget: skipped with reason ``too_slow``, never retried."""

    def __init__(self, seconds: float, *, used: float | None = None, wall: float | None = None) -> None:
        """``used``/``wall``: what the extraction really cost when it was stopped (isolation.py measures it)."""
        detail = f"extraction used more than {seconds:.1f} s of CPU"
        if used is not None:
            detail = f"extraction stopped after {used:.1f} s of CPU" + (f" ({wall:.1f} s wall)" if wall else "")
            detail += f"; its budget is {seconds:.1f} s"
        super().__init__("too_slow", detail)
        self.seconds = seconds


def extraction_budget_s(size_bytes: int) -> float:
    """The CPU seconds an object of ``size_bytes`` may take to extract."""
    return BASE_S + SECONDS_PER_MB * size_bytes / 2**20


def _cpu_s() -> float:
    return time.process_time()


@contextmanager
def cpu_time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TooSlow` inside the block once it has used ``seconds`` of CPU time."""
    started = _cpu_s()
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        if _cpu_s() - started > seconds:
            raise TooSlow(seconds)
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise TooSlow(seconds)

    previous = signal.signal(signal.SIGPROF, interrupt)
    signal.setitimer(signal.ITIMER_PROF, seconds, REPEAT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
