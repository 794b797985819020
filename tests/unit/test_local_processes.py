"""The local stack's process helpers never call a dead process alive (issue 21)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from docsearch_local.paths import stack_config
from docsearch_local.processes import pid_alive, process_state

# A parent that starts a child, kills it and never reaps it: the child stays a zombie that is not ours,
# as a worker whose starter (`make up`) exited is under a reaper that is slow or absent.
ORPHANED_ZOMBIE = """
import os, signal, subprocess, sys, time
child = subprocess.Popen(["sleep", "60"])
os.kill(child.pid, signal.SIGKILL)
print(child.pid, flush=True)
time.sleep(60)
"""


def test_a_zombie_that_is_not_our_child_is_dead() -> None:
    parent = subprocess.Popen([sys.executable, "-c", ORPHANED_ZOMBIE], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        zombie = int(parent.stdout.readline())
        deadline = time.monotonic() + 10
        while process_state(zombie) != "Z" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process_state(zombie) == "Z"
        assert not pid_alive(zombie)
        assert pid_alive(parent.pid)
    finally:
        parent.kill()
        parent.wait()


def test_a_stopped_process_is_alive_and_says_it_is_stopped() -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        os.kill(sleeper.pid, signal.SIGSTOP)
        deadline = time.monotonic() + 10
        while process_state(sleeper.pid) != "T" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pid_alive(sleeper.pid) and process_state(sleeper.pid) == "T"
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not pid_alive(sleeper.pid) and process_state(sleeper.pid) is None


def test_a_stack_start_that_fails_stops_what_it_started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An engine that never turns healthy is stopped, not left running after the failed session fixture."""
    from docsearch_local import stack

    stopped: list[list[str] | None] = []

    def engine_never_healthy(config: object, parts: object, started: list[str]) -> None:
        started.append("opensearch")
        raise TimeoutError("not within 180s: OpenSearch healthy")

    monkeypatch.setattr(stack, "_up", engine_never_healthy)
    monkeypatch.setattr(stack, "down", lambda config, parts=None: stopped.append(list(parts or [])))
    config = replace(stack_config(), state=tmp_path / "state")
    with pytest.raises(TimeoutError):
        stack.up(config)
    assert stopped == [["opensearch"]]
