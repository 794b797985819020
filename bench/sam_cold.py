"""A cold first answer through ``sam local start-api``, beside a baseline measured the same way.

The search function runs in Lambda's Python image (docsearch_local.lambda_image) with the layer
``sam build`` made, as tests/sam run it; beside it, in the same API, image, memory and
environment, a baseline function whose handler only imports boto3 (the runtime's: it has no
layer, see bench_template) and answers. Containers are
started EAGER, before the clock runs, so a first request measures what a Lambda cold start adds
inside a running sandbox: the runtime starting the handler (its imports) and the first answer.
Wall time of each HTTP request to SAM's local API:

- cold: the first ``GET /search`` (imports, then one search on the bench's index) and the first
  ``GET /baseline`` (``import boto3``, then ``{}``), in alternating order round by round;
- warm: the same requests again on the now-warm containers (SAM's and the runtime's own
  per-request cost, the search's engine time).

The bench's engine listens on loopback only: the containers reach it through a forwarder on
Docker's bridge (docsearch_local.forward). One ``start-api`` per round; its containers are
removed after it, and the Docker daemon is stopped if this started it.
"""

from __future__ import annotations

import compileall
import copy
import json
import shutil
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from docsearch_local.cfn import load_template
from docsearch_local.docker_daemon import DockerDaemon, ensure_daemon
from docsearch_local.forward import forwarding
from docsearch_local.lambda_image import ensure_image
from docsearch_local.paths import StackConfig
from docsearch_local.processes import pid_alive, spawn, stop_pid
from docsearch_local.sam_local import (
    BUILT_TEMPLATE,
    REPO,
    SAM_VENV,
    docker_folder,
    env_vars,
    free_port,
    sam_command,
    sam_env,
)

BASELINE = "BenchBaselineFunction"
BASELINE_CODE = '''"""The bench's cold-start baseline: what a Python function loads at least (boto3), then an answer."""

import json

import boto3


def lambda_handler(event, context):
    body = json.dumps({"boto3": boto3.__version__})
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": body}
'''
STARTUP_TIMEOUT_S = 300


def bench_template(build: Path = BUILT_TEMPLATE.parent) -> Path:
    """The built template plus the baseline function (beside it in ``build``, so the relative code
    paths hold); the search function keeps only its ``/search`` route, so nothing else invokes it, and
    is the only one with the layer."""
    template = load_template(BUILT_TEMPLATE)
    search = template["Resources"]["SearchFunction"]
    # Only the search function gets the layer: SAM builds an image per function with a layer of the template,
    # and a later build of the same image leaves an EAGER container stale (SAM then starts a new one when the
    # first request comes, inside the measured time). The baseline needs nothing from it (boto3 is the runtime's).
    search["Properties"]["Layers"] = template["Globals"]["Function"].pop("Layers")
    search["Properties"]["Events"] = {"Search": search["Properties"]["Events"]["Search"]}
    baseline = copy.deepcopy(search)
    route = {"ApiId": search["Properties"]["Events"]["Search"]["Properties"]["ApiId"], "Path": "/baseline"}
    baseline["Properties"].update(
        CodeUri=BASELINE,
        Layers=[],
        Description="bench: a handler that only imports boto3",
        Events={"Baseline": {"Type": "HttpApi", "Properties": {**route, "Method": "GET"}}},
    )
    baseline["Metadata"] = {"SamResourceId": BASELINE}
    template["Resources"][BASELINE] = baseline
    code = build / BASELINE
    code.mkdir(exist_ok=True)
    (code / "app.py").write_text(BASELINE_CODE, encoding="utf-8")
    compileall.compile_dir(code, quiet=1)  # as `make template` compiles the functions
    path = build / "bench-cold-start.json"
    path.write_text(json.dumps(template, indent=1), encoding="utf-8")
    return path


def _get_ms(url: str) -> float:
    started = time.perf_counter()
    response = requests.get(url, timeout=120)
    seconds = time.perf_counter() - started
    if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith("application/json"):
        raise RuntimeError(f"sam local: {url} answered {response.status_code}: {response.text[:300]}")
    return seconds * 1000


def _wait_listening(port: int, pid: int, log: Path) -> None:
    """Until SAM's API accepts connections (EAGER: the containers are up by then); no request is sent."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if not pid_alive(pid) or time.monotonic() > deadline:
                raise RuntimeError(f"sam local start-api did not listen:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.5)


MAX_ATTEMPTS_PER_ROUND = 4


def _settled_containers(daemon: DockerDaemon, pid: int, quiet_s: float = 2.0) -> set[str]:
    """The daemon's containers once no new one has appeared for ``quiet_s``: SAM listens before its EAGER
    containers are all up, and one still starting would be counted as started by a measured request."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    seen, since = daemon.containers(), time.monotonic()
    while time.monotonic() - since < quiet_s:
        if not pid_alive(pid) or time.monotonic() > deadline:
            break
        time.sleep(0.25)
        now = daemon.containers()
        if now != seen:
            seen, since = now, time.monotonic()
    return seen


def _round(
    daemon: DockerDaemon,
    config: StackConfig,
    env_file: Path,
    template: Path,
    query: str,
    warm: int,
    first: str,
    log: Path,
) -> dict[str, Any]:
    port = free_port(("127.0.0.1",))
    options = ["--host", "127.0.0.1", "--port", str(port), "--warm-containers", "EAGER", "--disable-authorizer"]
    before = daemon.containers()
    pid = spawn(
        sam_command("start-api", env_file, config.region, *options, template=template),
        log,
        env=sam_env(daemon.host, config),
        cwd=REPO,
    )
    try:
        _wait_listening(port, pid, log)
        urls = {"search": f"http://127.0.0.1:{port}/search?{urlencode({'q': query})}",
                "baseline": f"http://127.0.0.1:{port}/baseline"}  # fmt: skip
        order = [first, *(name for name in urls if name != first)]
        running = _settled_containers(daemon, pid)
        out: dict[str, Any] = {f"{name}_cold_ms": _get_ms(urls[name]) for name in order}
        # Each request must have found its EAGER container: one started for it would put SAM's image
        # build and a container start inside the figure.
        out["containers_started_by_requests"] = len(daemon.containers() - running)
        warm_ms: dict[str, list[float]] = {name: [] for name in urls}
        for i in range(warm):
            for name in order if i % 2 else order[::-1]:
                warm_ms[name].append(_get_ms(urls[name]))
        out.update({f"{name}_warm_ms": statistics.median(values) for name, values in warm_ms.items()})
        return out
    finally:
        stop_pid(pid, timeout_s=30)
        daemon.remove_containers(daemon.containers() - before)


def sam_local_cold(
    config: StackConfig, alias: str, query: str, rounds: int, warm: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """The figures on the Docker daemon there is (or one started for them, and stopped after)."""
    daemon = ensure_daemon(docker_folder(config))
    try:
        return measure(daemon, config, alias, query, rounds, warm, log)
    finally:
        daemon.stop()


def measure(
    daemon: DockerDaemon,
    config: StackConfig,
    alias: str,
    query: str,
    rounds: int,
    warm: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """``rounds`` cold starts of the search function and of the baseline (one start-api each), ``warm``
    requests of each after; medians. ``config`` is the stack whose engine holds ``alias``, the index searched."""
    sam_log = config.log("bench-sam-start-api")  # the stack's logs: kept after the run
    template = bench_template()
    try:
        image = ensure_image(daemon, SAM_VENV)
        gateway = daemon.bridge_gateway()
        engine = forwarding(gateway, config.opensearch_port)
        with tempfile.TemporaryDirectory(prefix="bench-sam-") as state, engine as port:
            sam_config = replace(config, state=Path(state), opensearch_port=port, index_alias=alias)
            functions = env_vars(sam_config, gateway)
            env_file = Path(state) / "sam-env.json"
            env_file.write_text(json.dumps({**functions, BASELINE: functions["SearchFunction"]}))
            results: list[dict[str, Any]] = []
            discarded: list[dict[str, Any]] = []
            attempt = 0
            # A round in which SAM started a container inside a measured request (it sometimes replaces an
            # EAGER one) measures SAM, not a cold start: it is set aside, counted, and the round run again.
            while len(results) < rounds and attempt < rounds * MAX_ATTEMPTS_PER_ROUND:
                first = "search" if attempt % 2 == 0 else "baseline"
                attempt += 1
                result = _round(daemon, sam_config, env_file, template, query, warm, first, sam_log)
                (discarded if result["containers_started_by_requests"] else results).append(result)
                log(f"sam local round {attempt}: " + ", ".join(f"{k} {v:.0f}" for k, v in result.items()))
    finally:
        template.unlink(missing_ok=True)
        shutil.rmtree(template.parent / BASELINE, ignore_errors=True)
    used = results or discarded  # none clean: the figures stand, flagged (report.implausible)
    out: dict[str, Any] = {"rounds": len(used), "warm_requests": warm, "image": image, "measure": "wall ms, HTTP"}
    for key in used[0]:
        out[key] = round(statistics.median(r[key] for r in used), 1)
    out["containers_started_by_requests"] = sum(r["containers_started_by_requests"] for r in used)
    out["rounds_set_aside"] = len(discarded)
    out["attempts"] = attempt
    out["search_cold_vs_baseline_cold"] = round(out["search_cold_ms"] / out["baseline_cold_ms"], 3)
    out["search_cold_over_warm_ms"] = round(out["search_cold_ms"] - out["search_warm_ms"], 1)
    out["baseline_cold_over_warm_ms"] = round(out["baseline_cold_ms"] - out["baseline_warm_ms"], 1)
    return out
