"""`make up` / `make down` / `make status`: the local stack on real parts, without Docker.

Parts: OpenSearch (real), moto server for S3 + SQS, the ingest worker, the search
API gateway. Each runs in the background with its pid and log under the state folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from opensearchpy import OpenSearch

from docsearch.index.definition import definition_is_current, ensure_index
from docsearch.index.reindex import INGEST_TIMEOUT_S, MAX_SHRINK, live_count, reindex
from docsearch_local import opensearch
from docsearch_local.aws_resources import clients, create_resources
from docsearch_local.paths import PYTHONPATH, StackConfig, stack_config
from docsearch_local.processes import http_ok, process_state, read_pid, spawn, stop_pid
from docsearch_local.timing import wait_until

PARTS = ("opensearch", "aws", "worker", "api")
WORKERS = {"worker": "docsearch_local.worker", "api": "docsearch_local.gateway"}
# Each function logs and measures under its own name, as the template names them on AWS.
SERVICE_NAMES = {"worker": "docsearch-ingest", "api": "docsearch-search"}


def _python_env(config: StackConfig, part: str) -> dict[str, str]:
    env = {**os.environ, **config.env(), "PYTHONPATH": PYTHONPATH, "PYTHONUNBUFFERED": "1"}
    if part in SERVICE_NAMES:
        env["POWERTOOLS_SERVICE_NAME"] = SERVICE_NAMES[part]
    return env


def _wait(url: str, what: str, timeout_s: float = 30) -> None:
    wait_until(lambda: http_ok(url), f"{what} answering at {url}", timeout_s, interval_s=0.2)


def _start_python(config: StackConfig, part: str, module: list[str]) -> bool:
    if read_pid(config.pidfile(part)):
        return False
    pid = spawn([sys.executable, *module], config.log(part), env=_python_env(config, part))
    config.pidfile(part).write_text(str(pid))
    return True


def up(config: StackConfig, parts: tuple[str, ...] = PARTS) -> list[str]:
    """Start what is not running of ``parts``; return the parts this call started (so a caller can stop those).

    Without the worker, nothing consumes the ingest queue (``sam local`` invokes the function instead).
    A start that fails part way (an engine that never turns healthy) stops what it started before raising:
    a test session whose fixture failed never leaves an engine running.
    """
    config.state.mkdir(parents=True, exist_ok=True)
    started: list[str] = []
    try:
        _up(config, parts, started)
    except BaseException:
        down(config, started)
        raise
    return started


def _up(config: StackConfig, parts: tuple[str, ...], started: list[str]) -> None:
    """``up``'s work; ``started`` collects each part as it is started."""
    started_at = time.monotonic()
    if not http_ok(f"{config.opensearch_url}/_cluster/health"):
        pid = opensearch.start(config.opensearch_port, opensearch.data_home(config.state), config.bind)
        config.pidfile("opensearch").write_text(str(pid))
        started.append("opensearch")
        print(f"starting OpenSearch {opensearch.OPENSEARCH_VERSION} on {config.opensearch_url} ...", flush=True)
        opensearch.wait_healthy(config.opensearch_url, pid)
    if not http_ok(f"{config.aws_url}/moto-api/"):
        moto = ["-m", "docsearch_local.moto_server", "-H", ",".join(config.bind), "-p", str(config.aws_port)]
        moto += ["--state", str(config.state / "aws")]
        if _start_python(config, "aws", moto):
            started.append("aws")
        _wait(f"{config.aws_url}/moto-api/", "moto server")
    _refuse_another_engine_version(config)
    create_resources(config)
    # The index exists before the first upload or search, so neither races its creation.
    engine = config.engine(timeout_s=60)
    ensure_index(engine, config.index_alias)
    if not definition_is_current(engine, config.index_alias):
        print(f"the index definition changed: rebuilding {config.index_alias} with zero downtime ...", flush=True)
        # Ingest batches already running matter only if the worker is up (it starts after this).
        ingesting = read_pid(config.pidfile("worker")) is not None
        summary = reindex(engine, config.index_alias, in_flight_s=INGEST_TIMEOUT_S if ingesting else 0)
        print(f"  {summary.documents} documents now in {summary.new_index}", flush=True)
    warn_if_bucket_lost(config, engine)
    started.extend(
        part for part, module in WORKERS.items() if part in parts and _start_python(config, part, ["-m", module])
    )
    if "api" in parts:
        _wait(f"{config.api_url}/health", "search API", timeout_s=60)
    print(f"local stack up in {time.monotonic() - started_at:.1f}s")
    status(config)


def warn_if_bucket_lost(config: StackConfig, engine: OpenSearch) -> bool:
    """Say so when the index holds many more live documents than the bucket holds objects.

    The emulator keeps its buckets in the state folder; one started without it (or with the folder
    removed) starts empty while the engine keeps its index, and a reindex from the bucket would then
    drop those documents (refused: reindex.MAX_SHRINK). True if the warning was given.
    """
    s3, _ = clients(config)
    objects = sum(
        page.get("KeyCount", 0) for page in s3.get_paginator("list_objects_v2").paginate(Bucket=config.bucket)
    )
    engine.indices.refresh(index=config.index_alias)
    live = live_count(engine, config.index_alias)
    if live <= objects * (1 + MAX_SHRINK) + 1:
        return False
    print(
        f"WARNING: {config.index_alias} holds {live} live documents but s3://{config.bucket} only {objects} objects:"
        f" the bucket's objects were lost (its state is kept in {config.state / 'aws'}). `docsearch reindex"
        " --from-bucket` would drop the documents and is refused; upload the articles again, or `docsearch"
        " backfill --prune` to drop them from the index on purpose.",
        flush=True,
    )
    return True


def _refuse_another_engine_version(config: StackConfig) -> None:
    """Tests run on the version the template deploys: a running engine of another version is not reused."""
    running = config.engine(timeout_s=30).info()["version"]["number"]
    if running != opensearch.OPENSEARCH_VERSION:
        raise RuntimeError(
            f"the OpenSearch at {config.opensearch_url} runs {running}, but the template deploys "
            f"{opensearch.OPENSEARCH_VERSION}: stop it (`make down`, or its process) and run `make up` again"
        )


def down(config: StackConfig, parts: list[str] | None = None) -> None:
    """Stop ``parts`` (default: every part) that this state folder started."""
    for part in reversed(PARTS):
        if parts is not None and part not in parts:
            continue
        pid = read_pid(config.pidfile(part))
        if pid:
            stop_pid(pid, timeout_s=60 if part == "opensearch" else 10)
            print(f"stopped {part} (pid {pid})")
        config.pidfile(part).unlink(missing_ok=True)


def report(config: StackConfig) -> dict[str, object]:
    probes = {
        "opensearch": f"{config.opensearch_url}/_cluster/health",
        "aws": f"{config.aws_url}/moto-api/",
        "api": f"{config.api_url}/health",
    }
    parts: dict[str, object] = {}
    for part in PARTS:
        probe = probes.get(part)
        pid = read_pid(config.pidfile(part))
        parts[part] = {
            "pid": pid,
            # a stopped process (SIGSTOP) answers nothing: not up
            "up": http_ok(probe) if probe else pid is not None and process_state(pid) != "T",
            "log": str(config.log(part) if part != "opensearch" else opensearch.data_home(config.state) / "logs"),
        }
    return {"state": str(config.state), "parts": parts}


def status(config: StackConfig) -> bool:
    info = report(config)
    print(f"state folder: {info['state']}")
    parts = info["parts"]
    assert isinstance(parts, dict)
    for part, facts in parts.items():
        mark = "up  " if facts["up"] else "DOWN"
        print(f"  {mark} {part:<10} pid={facts['pid']}  logs: {facts['log']}")
    print(f"  search API: {config.api_url}/search?q=...   OpenSearch: {config.opensearch_url}")
    return all(facts["up"] for facts in parts.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="docsearch-stack", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--json", action="store_true", help="status as JSON")
    args = parser.parse_args(argv)
    config = stack_config()
    if args.command == "up":
        up(config)
    elif args.command == "down":
        down(config)
    elif args.json:
        print(json.dumps(report(config), indent=2))
    else:
        return 0 if status(config) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
