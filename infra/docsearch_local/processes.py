"""Small process helpers for the local stack: spawn in the background, probe, stop."""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from docsearch_local.timing import wait_until


def spawn(
    command: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None, user: str | None = None
) -> int:
    """Start a detached process (its own session) with stdout+stderr appended to ``log``.

    ``user``: run it as that user (the caller is root), by ``setuid`` in the child itself, not under
    ``runuser``: a parent in between stops with its child on SIGSTOP, is never continued by a SIGCONT sent
    to the child, and outlives it (issue 21); the pid recorded is then the process itself.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    identity: dict[str, object] = {}
    if user is not None:
        entry = pwd.getpwnam(user)
        identity = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        env = {**(env if env is not None else os.environ), "HOME": entry.pw_dir, "USER": user, "LOGNAME": user}
    with log.open("ab") as out:
        process = subprocess.Popen(  # type: ignore[call-overload]
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
            **identity,
        )
    return int(process.pid)


def process_state(pid: int) -> str | None:
    """The kernel's one-letter state of ``pid`` (R, S, D, T stopped, Z zombie, ...); None if there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]  # after the command name, which may hold spaces and parentheses


def pid_alive(pid: int) -> bool:
    """True if ``pid`` runs (or is stopped); a zombie, whoever's child, is dead (issue 21: a worker that had
    died, left unreaped by a parent that was not ours, was reported up and never restarted)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours: reap it
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished:
            return False
    except ChildProcessError:
        pass
    return process_state(pid) not in ("Z", "X")


def stop_pid(pid: int, timeout_s: float = 20) -> None:
    """SIGTERM the process group, wait, then SIGKILL what is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
        with contextlib.suppress(TimeoutError):
            wait_until(lambda: not pid_alive(pid), f"pid {pid} exited", timeout_s, interval_s=0.2)
            return


def http_ok(url: str, timeout_s: float = 2) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 (loopback only)
            return bool(200 <= response.status < 300)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def read_pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None
