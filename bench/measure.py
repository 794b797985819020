"""Small measuring helpers: timers, percentiles, child processes, import times, directory sizes."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import statistics
import subprocess
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
        "p99_ms": round(percentile(ms, 99), 3),
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


def import_time(command: list[str], env: dict[str, str], module: str) -> list[tuple[str, float]]:
    """The heaviest imports (cumulative ms, ``-X importtime``) under ``module`` in the fresh interpreter
    ``command`` (a LambdaLayout command run with ``importtime``)."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True, cwd=REPO)
    heavy: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():
        match = IMPORTTIME_LINE.match(line)
        if not match:
            continue
        cumulative_ms, depth, name = int(match.group(2)) / 1000, (len(match.group(3)) - 1) // 2, match.group(4)
        if name != module and depth <= 2:
            heavy.append((name, cumulative_ms))
    heavy.sort(key=lambda item: -item[1])
    return heavy[:8]


def cpu_import_code(module: str) -> str:
    """Code printing the CPU time (ms) that importing ``module`` takes, for a fresh interpreter."""
    return f"import time\nt = time.process_time()\nimport {module}\nprint((time.process_time() - t) * 1000)"


def cpu_ms(command: list[str], env: dict[str, str]) -> float:
    """Run ``command`` (which prints CPU milliseconds last) in a fresh process; that figure."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True, cwd=REPO)
    return float(done.stdout.strip().splitlines()[-1])


# A cold start's first answer in the function's own interpreter: import the handler, one search.
# The event comes as sys.argv[4]; the context is what Powertools reads of Lambda's.
FIRST_SEARCH = """
import contextlib, io, json, time, types
t = time.process_time()
import app
context = types.SimpleNamespace(
    function_name="docsearch-search", memory_limit_in_mb=512, aws_request_id="bench",
    invoked_function_arn="arn:aws:lambda:ap-southeast-3:000000000000:function:docsearch-search",
    get_remaining_time_in_millis=lambda: 10_000,
)
with contextlib.redirect_stdout(io.StringIO()):
    response = app.lambda_handler(json.loads(sys.argv[4]), context)
assert response["statusCode"] == 200, response
print((time.process_time() - t) * 1000)
"""


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def layer_size(layer: Path) -> dict[str, Any]:
    """Size of the layer as ``sam build`` makes it: its Makefile target (what ``sam build`` runs for
    DocsearchLayer), run by this run into a temporary folder (LambdaLayout.build), never a stale build."""
    root = layer.parent
    with tempfile.TemporaryDirectory(prefix="bench-layer-") as tmp:
        archive = shutil.make_archive(str(Path(tmp) / "layer"), "zip", root)
        biggest = sorted(((p.name, directory_bytes(p)) for p in layer.iterdir() if p.is_dir()), key=lambda i: -i[1])[:6]
        return {
            "source": "layers/docsearch/Makefile (sam build)",
            "unzipped_bytes": directory_bytes(root),
            "zipped_bytes": Path(archive).stat().st_size,
            "largest_packages": [{"name": n, "bytes": b} for n, b in biggest],
        }
