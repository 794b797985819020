"""A Docker daemon for ``sam local``: the one already running, else our own under the state folder.

Our own ``dockerd`` keeps its socket, data root and exec root in ``<state>/docker`` (the exec
root short: containerd's socket path lives under it and Unix socket paths stop at 108
characters), uses overlay2 (vfs when the kernel refuses overlay2), and neither touches the
machine's firewall (``--iptables=false --ip-masq=false``) nor removes the default bridge:
``sam local`` reaches its containers through it, and they reach the host at its gateway.
A daemon the user already had is used as it is and never stopped.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from docsearch_local.processes import pid_alive, read_pid, spawn, stop_pid

SYSTEM_SOCKET = Path("/var/run/docker.sock")
MAX_SOCKET_PATH = 108


class DockerUnavailable(RuntimeError):
    """Docker cannot run here; the message says why and what to do."""


@dataclass(frozen=True)
class DockerDaemon:
    host: str  # DOCKER_HOST value, e.g. unix:///…/docker.sock
    pid: int | None  # set when we started it (and so must stop it)
    storage_driver: str

    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_HOST": self.host}

    def docker(self, *args: str, timeout_s: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", *args], env=self.env(), capture_output=True, text=True, timeout=timeout_s, check=check
        )

    def bridge_gateway(self) -> str:
        """The host's address on the default bridge: where function containers find the local stack."""
        network = json.loads(self.docker("network", "inspect", "bridge").stdout)[0]
        for config in network["IPAM"]["Config"] or []:
            if config.get("Gateway"):
                return str(config["Gateway"])
            if config.get("Subnet"):  # Docker gives the gateway the subnet's first address
                return str(ipaddress.ip_network(config["Subnet"])[1])
        raise DockerUnavailable("the default bridge network has no address")

    def containers(self) -> set[str]:
        return set(self.docker("ps", "-aq", "--no-trunc").stdout.split())

    def remove_containers(self, ids: set[str]) -> None:
        if ids:
            self.docker("rm", "-f", *sorted(ids), check=False)

    def stop(self) -> None:
        """Stop the daemon if we started it (by its pid); a daemon the user runs is left alone.

        Ours first drops dangling images: ``sam local`` rebuilds its function image (the layer
        copied in) on every invoke, leaving the previous one untagged.
        """
        if self.pid is not None:
            self.docker("image", "prune", "--force", check=False)
            stop_pid(self.pid, timeout_s=30)


def _answers(host: str) -> str | None:
    """The storage driver of the daemon at ``host``, or None if nothing answers there."""
    if shutil.which("docker") is None:
        return None
    try:
        result = subprocess.run(
            ["docker", "info", "--format", "{{.Driver}}"],
            env={**os.environ, "DOCKER_HOST": host},
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else None


def _start(folder: Path, driver: str) -> tuple[int, str]:
    socket = folder / "docker.sock"
    exec_root = folder / "x"
    command = [
        "dockerd",
        f"--host=unix://{socket}",
        f"--data-root={folder / 'data'}",
        f"--exec-root={exec_root}",
        f"--pidfile={folder / 'dockerd.pid'}",
        f"--storage-driver={driver}",
        "--iptables=false",
        "--ip-masq=false",
    ]
    pid = spawn(command, folder / f"dockerd-{driver}.log")
    host = f"unix://{socket}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and pid_alive(pid):
        if _answers(host):
            return pid, host
        time.sleep(0.3)
    stop_pid(pid, timeout_s=20)
    raise DockerUnavailable(f"dockerd ({driver}) did not start; see {folder / f'dockerd-{driver}.log'}")


def ensure_daemon(folder: Path) -> DockerDaemon:
    """The running daemon ($DOCKER_HOST, the system socket, or ours from an earlier call), else a new one."""
    candidates = [os.environ["DOCKER_HOST"]] if os.environ.get("DOCKER_HOST") else []
    candidates += [f"unix://{SYSTEM_SOCKET}", f"unix://{folder / 'docker.sock'}"]
    for host in candidates:
        if driver := _answers(host):
            # ours, left by an interrupted run: adopt it, so this run stops it
            ours = host == candidates[-1] and read_pid(folder / "dockerd.pid")
            return DockerDaemon(host=host, pid=ours or None, storage_driver=driver)
    missing = [tool for tool in ("docker", "dockerd") if shutil.which(tool) is None]
    if missing:
        raise DockerUnavailable(f"{' and '.join(missing)} not found: `make docker` installs Debian's docker.io (root)")
    if os.geteuid() != 0:
        raise DockerUnavailable("no Docker daemon is running and only root can start one: start Docker, or run as root")
    folder.mkdir(parents=True, exist_ok=True)
    longest = folder / "x" / "containerd" / "containerd.sock.ttrpc"
    if len(str(longest)) > MAX_SOCKET_PATH:
        raise DockerUnavailable(f"{folder} is too deep for Unix socket paths ({len(str(longest))} > 108 characters)")
    errors = []
    for driver in ("overlay2", "vfs"):
        try:
            pid, host = _start(folder, driver)
        except DockerUnavailable as error:
            errors.append(str(error))
            continue
        return DockerDaemon(host=host, pid=pid, storage_driver=driver)
    raise DockerUnavailable("; ".join(errors))
