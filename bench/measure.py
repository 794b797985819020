"""Small measuring helpers: timers, percentiles, child processes, import times, directory sizes."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from docsearch_local.paths import PYTHONPATH
from docsearch_local.timing import percentile

REPO = Path(__file__).resolve().parents[1]
IMPORTTIME_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "n": len(ms),
    }


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Swallow what the handlers print (Powertools writes one EMF metrics line per invocation)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def python_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": PYTHONPATH, **(extra or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def import_time(module: str, env: dict[str, str]) -> tuple[float, list[tuple[str, float]]]:
    """Cumulative import time (ms) of ``module`` in a fresh interpreter, and its heaviest imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    total = 0.0
    heavy: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():
        match = IMPORTTIME_LINE.match(line)
        if not match:
            continue
        cumulative_ms, depth, name = int(match.group(2)) / 1000, (len(match.group(3)) - 1) // 2, match.group(4)
        if name == module and depth == 0:
            total = cumulative_ms
        elif depth <= 2:
            heavy.append((name, cumulative_ms))
    heavy.sort(key=lambda item: -item[1])
    return total, heavy[:8]


def cpu_import_ms(module: str, env: dict[str, str]) -> float:
    """CPU time (ms) that importing ``module`` takes in a fresh interpreter."""
    code = f"import time; t = time.process_time(); import {module}; print(time.process_time() - t)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=REPO)
    return float(done.stdout.strip().splitlines()[-1]) * 1000


FIRST_SEARCH = """
import contextlib, io, time
t = time.process_time()
import functions.search.app as app
from docsearch_local.gateway import to_http_api_event
from docsearch_local.lambda_context import LocalContext
event = to_http_api_event("GET", "/search?q=banjir+jakarta", {"host": "bench"}, b"", "127.0.0.1")
with contextlib.redirect_stdout(io.StringIO()):
    response = app.lambda_handler(event, LocalContext("docsearch-search"))
assert response["statusCode"] == 200, response
print(time.process_time() - t)
"""


def first_search_ms(env: dict[str, str]) -> float:
    """CPU time (ms) of a cold start's first answer: importing the search handler, then one search."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_SEARCH], env=env, capture_output=True, text=True, check=True, cwd=REPO
    )
    return float(done.stdout.strip().splitlines()[-1]) * 1000


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def layer_size() -> dict[str, Any]:
    """Size of the layer as ``sam build`` makes it: its Makefile target (what ``sam build`` runs for
    DocsearchLayer), run into a temporary directory, so the figure is never a stale build's."""
    with tempfile.TemporaryDirectory(prefix="bench-layer-") as tmp:
        root = Path(tmp) / "layer"
        subprocess.run(
            ["make", "--no-print-directory", "-C", str(REPO / "layers" / "docsearch"), "build-DocsearchLayer",
             f"ARTIFACTS_DIR={root}", f"PYTHON={sys.executable}"],
            check=True, capture_output=True,
        )  # fmt: skip
        archive = shutil.make_archive(str(Path(tmp) / "layer"), "zip", root)
        biggest = sorted(
            ((p.name, directory_bytes(p)) for p in (root / "python").iterdir() if p.is_dir()), key=lambda i: -i[1]
        )[:6]
        return {
            "source": "layers/docsearch/Makefile (sam build)",
            "unzipped_bytes": directory_bytes(root),
            "zipped_bytes": Path(archive).stat().st_size,
            "largest_packages": [{"name": n, "bytes": b} for n, b in biggest],
        }
