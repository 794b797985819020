"""One object's extraction in a child process that a hard limit always stops.

The in-process CPU limit (``timelimit.cpu_time_limit``) is a signal: Python code sees it, C code does
not. An HTML tag with a hundred thousand attributes kept libxml2 busy for 84 s against a 2 s budget and a
7 MB one ignored SIGTERM for minutes (issue 21), failing the whole batch on AWS. Here the work runs in a
child made by ``os.fork`` (Lambda has no ``/dev/shm``, so no ``multiprocessing`` primitive works there;
a fork and a pipe do), with:

- the kernel's CPU limit (``RLIMIT_CPU``, whole seconds, rounded up): past it the kernel stops the child
  whatever code it runs (SIGXCPU, then SIGKILL a second later);
- the same in-process signal limit inside the child, which stops Python code at the exact budget;
- a wall-clock fence in the parent (``wall_s``): past it the child is killed (SIGKILL), e.g. when a
  starved machine gives it too little CPU to reach its CPU limit in time.

The child sends back its result (or the exception it raised) pickled through a pipe; the CPU it really
used is read from ``wait4``'s resource usage, so a skip can say what the object cost.
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import select
import signal
import time
import warnings
from collections.abc import Callable

from docsearch.ingest.timelimit import TooSlow, cpu_time_limit

# A Linux pipe holds 64 KiB unless resized: one read takes what the child's writes can have filled.
READ_CHUNK = 1 << 16
# The kernel's CPU limit is a whole number of seconds and the child is killed one second after it.
KILL_GRACE_S = 1


class ChildFailed(Exception):
    """The child ended without a result (killed by something other than its limits, or crashed)."""


def run_isolated[T](work: Callable[[], T], cpu_s: float, wall_s: float) -> T:
    """``work()`` run in a child process: its result, or what it raised; TooSlow past ``cpu_s`` of CPU
    or ``wall_s`` of wall time (the child is killed then)."""
    reader, writer = os.pipe()
    with warnings.catch_warnings():  # the child only runs ``work`` and writes to the pipe (module doc)
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child
        os.close(reader)
        _child(work, cpu_s, writer)
    os.close(writer)
    started = time.monotonic()
    try:
        payload, killed = _collect(reader, pid, started + wall_s)
    finally:
        os.close(reader)
    _, status, usage = os.wait4(pid, 0)
    used = usage.ru_utime + usage.ru_stime
    if killed or (os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL)):
        raise TooSlow(cpu_s, used=used, wall=time.monotonic() - started)
    if not payload:
        raise ChildFailed(f"extraction process ended with status {status} and no result")
    ok, value = pickle.loads(payload)  # noqa: S301 (our own child's bytes, through our own pipe)
    if ok:
        return value
    raise value


def _child(work: Callable[[], object], cpu_s: float, writer: int) -> None:
    """Run ``work`` under both limits and write ``(ok, value)``; never returns."""
    code = 0
    try:
        limit = math.ceil(cpu_s)
        resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + KILL_GRACE_S))
        try:
            with cpu_time_limit(cpu_s):
                outcome: tuple[bool, object] = (True, work())
        except BaseException as error:  # everything goes back to the parent, which raises it
            outcome = (False, error)
        try:
            data = pickle.dumps(outcome)
        except Exception as error:  # an unpicklable exception: its text is enough
            data = pickle.dumps((False, ChildFailed(f"{type(error).__name__}: {error}")))
        view = memoryview(data)
        while view:
            view = view[os.write(writer, view) :]
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _collect(reader: int, pid: int, deadline: float) -> tuple[bytes, bool]:
    """The child's bytes until it closes the pipe; (bytes, killed) where killed means the fence was hit."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        ready = select.select([reader], [], [], max(0.0, left))[0] if left > 0 else []
        if not ready:
            os.kill(pid, signal.SIGKILL)
            return b"", True
        chunk = os.read(reader, READ_CHUNK)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
