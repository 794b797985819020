"""Lambda's Python 3.12 base image for ``sam local``: AWS's own when the registry answers, else built here.

``sam local`` runs each function in ``public.ecr.aws/lambda/python:3.12-x86_64``. Without a
reachable registry, this builds an image with the same contract and tags it with that name:

- a minimal Debian root file system (``debootstrap --variant=minbase``, from the mirror and
  release apt already uses, plus the shared libraries Python's modules load);
- this machine's Python 3.12 in ``/var/lang`` (``LD_LIBRARY_PATH=/var/lang/lib``);
- ``awslambdaric`` and ``boto3`` (PyPI) in ``/var/runtime``, as in AWS's image, and a
  ``/var/runtime/bootstrap`` that runs awslambdaric with the handler, with ``/opt/python``
  (layers) and ``/var/task`` (the function) on ``PYTHONPATH``;
- ``/lambda-entrypoint.sh`` and the runtime interface emulator the ``aws-sam-cli`` wheel ships,
  as ``/usr/local/bin/aws-lambda-rie``.

The root file system is kept as a tarball in the download cache and the image carries a
label naming its inputs, so later runs import or reuse it instead of building again.

    python -m docsearch_local.lambda_image [--sam-venv .venv-sam]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from docsearch_local.docker_daemon import DockerDaemon, DockerUnavailable, ensure_daemon
from docsearch_local.paths import cache_home
from docsearch_local.sam_local import SAM_VENV, docker_folder

IMAGE = "public.ecr.aws/lambda/python:3.12-x86_64"
LABEL = "org.docsearch.lambda-image"
AWSLAMBDARIC = "awslambdaric==4.2.2"
REPO = Path(__file__).resolve().parents[2]
# Shared libraries the standard library's extension modules load (ssl/hashlib, ctypes, sqlite3, pyexpat).
EXTRA_PACKAGES = ["libssl3", "libffi8", "libsqlite3-0", "libexpat1"]
STDLIB_LEFT_OUT = {"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "site-packages"}

BOOTSTRAP = """#!/bin/sh
# Lambda's Python runtime: layers under /opt/python, the function in /var/task.
export AWS_EXECUTION_ENV=AWS_Lambda_python3.12
LAYERS=/opt/python/lib/python3.12/site-packages:/opt/python
export PYTHONPATH="/var/runtime:$LAYERS:/var/task${PYTHONPATH:+:$PYTHONPATH}"
exec /var/lang/bin/python3.12 -m awslambdaric "$_HANDLER"
"""

ENTRYPOINT = """#!/bin/sh
# The base images' entry point: the handler is the only argument; without a Runtime API
# (outside Lambda) the runtime interface emulator provides one.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  exec /usr/local/bin/aws-lambda-rie /var/runtime/bootstrap
fi
exec /var/runtime/bootstrap
"""

IMAGE_CONFIG = [
    "ENV LANG=en_US.UTF-8",
    "ENV TZ=:/etc/localtime",
    "ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin:/opt/bin",
    "ENV LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib"
    ":/opt/lib",
    "ENV LAMBDA_TASK_ROOT=/var/task",
    "ENV LAMBDA_RUNTIME_DIR=/var/runtime",
    "WORKDIR /var/task",
    'ENTRYPOINT ["/lambda-entrypoint.sh"]',
]


def _log(message: str) -> None:
    print(f"[lambda-image] {message}", file=sys.stderr, flush=True)


def rie_path(sam_venv: Path) -> Path:
    """The runtime interface emulator inside the installed aws-sam-cli."""
    found = sorted(sam_venv.glob("lib/python3*/site-packages/samcli/local/rapid/aws-lambda-rie-x86_64"))
    if not found:
        raise FileNotFoundError(f"no aws-lambda-rie-x86_64 under {sam_venv}: `make template` installs the SAM CLI")
    return found[0]


def apt_source() -> tuple[str, str]:
    """(mirror URL, release) of the Debian archive apt already uses, so debootstrap needs nothing new."""
    release = ""
    for line in Path("/etc/os-release").read_text().splitlines():
        if line.startswith("VERSION_CODENAME="):
            release = line.split("=", 1)[1].strip().strip('"')
    texts = [p.read_text() for p in sorted(Path("/etc/apt").glob("sources.list.d/*.sources"))]
    uris = [u for text in texts for u in re.findall(r"^URIs:\s*(\S+)", text, flags=re.MULTILINE)]
    legacy = Path("/etc/apt/sources.list")
    if legacy.exists():
        uris += re.findall(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)", legacy.read_text(), flags=re.MULTILINE)
    mirrors = [u for u in uris if "security" not in u]
    if not release or not mirrors:
        raise RuntimeError("cannot tell the Debian mirror and release from /etc/apt and /etc/os-release")
    return mirrors[0], release


def python_home() -> Path:
    """The installation of the Python 3.12 running this (a venv's base), copied whole into /var/lang."""
    if sys.version_info[:2] != (3, 12):
        raise RuntimeError(f"Lambda's runtime is Python 3.12; this is {sys.version.split()[0]}")
    return Path(sys.base_prefix)


def runtime_packages() -> list[str]:
    """awslambdaric, and boto3 as Lambda's runtime provides it (the version the project tests with)."""
    pins = (REPO / "requirements-dev.txt").read_text().splitlines()
    return [AWSLAMBDARIC, *(line.split("#")[0].strip() for line in pins if line.startswith("boto3=="))]


def build_key(sam_venv: Path) -> str:
    """Names the inputs: a change to any of them builds a new image."""
    digest = hashlib.sha256()
    for part in (
        sys.version,
        " ".join(runtime_packages()),
        " ".join(EXTRA_PACKAGES),
        " ".join(apt_source()),
        BOOTSTRAP,
        ENTRYPOINT,
        "\n".join(IMAGE_CONFIG),
    ):
        digest.update(part.encode())
    digest.update(hashlib.sha256(rie_path(sam_venv).read_bytes()).digest())
    return digest.hexdigest()[:16]


def _copy_python(target: Path) -> None:
    home = python_home()
    stdlib = Path(sysconfig.get_path("stdlib"))  # in a venv too: the base installation's
    (target / "bin").mkdir(parents=True)
    shutil.copy2(Path(home) / "bin" / "python3.12", target / "bin" / "python3.12")
    for alias in ("python3", "python"):
        (target / "bin" / alias).symlink_to("python3.12")
    lib = target / "lib"
    lib.mkdir()
    for shared in Path(home, "lib").glob("libpython3*.so*"):
        shutil.copy2(shared, lib / shared.name, follow_symlinks=False)
    shutil.copytree(
        stdlib,
        lib / "python3.12",
        symlinks=True,
        ignore=lambda folder, names: [n for n in names if folder == str(stdlib) and n in STDLIB_LEFT_OUT],
    )
    (lib / "python3.12" / "site-packages").mkdir()


def _install_runtime(runtime: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--target",
            str(runtime),
            "--only-binary=:all:",
            "--platform",
            "manylinux2014_x86_64",
            "--python-version",
            "3.12",
            *runtime_packages(),
        ],
        check=True,
    )


def _write_executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def build_rootfs(tarball: Path, sam_venv: Path) -> None:
    """Build the root file system and pack it into ``tarball`` (a few minutes; needs root and the apt mirror)."""
    if os.geteuid() != 0:
        raise PermissionError("building the Lambda image needs root (debootstrap)")
    if shutil.which("debootstrap") is None:
        raise FileNotFoundError("debootstrap not found: `make docker` installs it (Debian package debootstrap)")
    mirror, release = apt_source()
    tarball.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=tarball.parent))
    root = tmp / "rootfs"
    try:
        _log(f"debootstrap --variant=minbase {release} from {mirror}")
        subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(EXTRA_PACKAGES)}",
                release,
                str(root),
                mirror,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(root / "var" / "cache" / "apt" / "archives", ignore_errors=True)
        shutil.rmtree(root / "var" / "lib" / "apt" / "lists", ignore_errors=True)
        _log(f"Python {sys.version.split()[0]} from {python_home()} -> /var/lang, {runtime_packages()} -> /var/runtime")
        _copy_python(root / "var" / "lang")
        _install_runtime(root / "var" / "runtime")
        _write_executable(root / "var" / "runtime" / "bootstrap", BOOTSTRAP)
        _write_executable(root / "lambda-entrypoint.sh", ENTRYPOINT)
        shutil.copy2(rie_path(sam_venv), root / "usr" / "local" / "bin" / "aws-lambda-rie")
        (root / "usr" / "local" / "bin" / "aws-lambda-rie").chmod(0o755)
        (root / "var" / "task").mkdir(exist_ok=True)
        (root / "opt").mkdir(exist_ok=True)
        _unmount_under(root)
        partial = tmp / "rootfs.tar"
        subprocess.run(["tar", "-C", str(root), "--numeric-owner", "-cf", str(partial), "."], check=True)
        partial.rename(tarball)
    finally:
        _unmount_under(root)  # debootstrap mounts /proc in the new root; never delete through a mount
        shutil.rmtree(tmp, ignore_errors=True)


def _unmount_under(root: Path) -> None:
    mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    for mount in sorted((m for m in mounts if m.startswith(f"{root}/")), reverse=True):
        subprocess.run(["umount", "--lazy", mount], check=False)


def image_label(daemon: DockerDaemon) -> str | None:
    """None if the image is absent, "" for AWS's image, else the build key of ours."""
    found = daemon.docker("image", "inspect", IMAGE, check=False)
    if found.returncode != 0:
        return None
    labels = json.loads(found.stdout)[0]["Config"].get("Labels") or {}
    return str(labels.get(LABEL, ""))


def describe(daemon: DockerDaemon) -> str:
    label = image_label(daemon)
    if label is None:
        return f"{IMAGE}: absent"
    return f"{IMAGE}: AWS's image" if label == "" else f"{IMAGE}: built here (docsearch build {label})"


def ensure_image(daemon: DockerDaemon, sam_venv: Path) -> str:
    """Make ``IMAGE`` present: AWS's (pulled), else ours (imported from the cache, built if missing)."""
    key = build_key(sam_venv)
    label = image_label(daemon)
    if label == "" or label == key:
        return describe(daemon)
    if os.environ.get("DOCSEARCH_LAMBDA_IMAGE", "auto") != "local":  # "local": never ask the registry
        pulled = daemon.docker("pull", "--quiet", IMAGE, check=False, timeout_s=600)
        if pulled.returncode == 0:
            return describe(daemon)
        _log(f"cannot pull {IMAGE} ({pulled.stderr.strip()[:160]}): building it here")
    tarball = cache_home() / "lambda-image" / f"python3.12-x86_64-{key}.tar"
    if not tarball.exists():
        for stale in tarball.parent.glob("python3.12-x86_64-*.tar"):  # built from other inputs
            stale.unlink()
        build_rootfs(tarball, sam_venv)
    changes = [arg for change in [*IMAGE_CONFIG, f"LABEL {LABEL}={key}"] for arg in ("--change", change)]
    daemon.docker("import", *changes, str(tarball), IMAGE, timeout_s=600)
    return describe(daemon)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lambda-image", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sam-venv", type=Path, default=SAM_VENV, help="the venv holding aws-sam-cli")
    parser.add_argument("--keep-docker", action="store_true", help="leave the Docker daemon running (by hand)")
    args = parser.parse_args(argv)
    try:
        daemon = ensure_daemon(docker_folder())
    except DockerUnavailable as error:
        print(f"sam local needs Docker, and it cannot run here: {error}", file=sys.stderr)
        return 1
    try:
        print(ensure_image(daemon, args.sam_venv))
    finally:
        if args.keep_docker:
            stop = f"; stop it with: kill {daemon.pid}" if daemon.pid else ""
            print(f"export DOCKER_HOST={daemon.host}  # bridge gateway {daemon.bridge_gateway()}{stop}")
        else:
            daemon.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
