"""`make load`: concurrent searches against the local API while articles are being ingested.

A separate process on loopback, bounded in time and in request count, that stops
by itself. It uploads articles to the local bucket at a steady pace while worker
threads search; at the end it waits until every uploaded article is searchable and
reports throughput, latency percentiles and errors. Exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import requests

from docsearch_local.aws_resources import clients
from docsearch_local.paths import StackConfig, stack_config
from docsearch_local.timing import percentile, wait_until

QUERIES = [
    "banjir",
    "pakta pertahanan",
    '"kapal selam"',
    "Korut",
    "pemilu -Jakarta",
    "harga beras naik",
    "gempa bumi",
    "presiden",
    "khawatir",
    "ekonomi Indonesia",
]
SEARCHABLE_WAIT_S = 60


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, latency_ms: float, error: str | None) -> None:
        with self.lock:
            self.latencies_ms.append(latency_ms)
            if error:
                self.errors[error] = self.errors.get(error, 0) + 1


@dataclass
class Report:
    duration_s: float
    concurrency: int
    requests: int
    errors: int
    error_kinds: dict[str, int]
    throughput_rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    articles_uploaded: int
    articles_searchable: int
    all_searchable_after_s: float | None


def _searcher(api_url: str, tally: Tally, stop: threading.Event, budget: Callable[[], bool], offset: int) -> None:
    session = requests.Session()
    i = offset
    while not stop.is_set() and budget():
        params = {"q": QUERIES[i % len(QUERIES)], "size": str(5 + i % 10)}
        i += 1
        started = time.perf_counter()
        error = None
        try:
            response = session.get(f"{api_url}/search", params=params, timeout=10)
            if response.status_code != 200:
                error = f"http {response.status_code}"
            elif "results" not in response.json():
                error = "no results field"
        except requests.RequestException as exc:
            error = type(exc).__name__
        tally.record((time.perf_counter() - started) * 1000, error)


def _uploader(config: StackConfig, run: str, count: int, duration_s: float, keys: list[str]) -> None:
    s3, _ = clients(config)
    pause = duration_s * 0.8 / max(count, 1)
    for i in range(count):
        key = f"loadtest/{run}/{i:04d}.txt"
        body = (
            f"Uji beban {run} nomor {i}\n"
            f"Banjir dan gempa bumi dilaporkan di wilayah {i}. Presiden meminta harga beras tetap stabil "
            f"sementara ekonomi Indonesia tumbuh. Kapal selam {run} berlayar."
        )
        s3.put_object(Bucket=config.bucket, Key=key, Body=body.encode())
        keys.append(key)
        time.sleep(pause)


def _searchable(config: StackConfig, run: str) -> int:
    response = requests.get(f"{config.api_url}/search", params={"q": run, "size": "1"}, timeout=10)
    return int(response.json().get("total", 0)) if response.status_code == 200 else 0


def run(config: StackConfig, duration_s: float, max_requests: int, concurrency: int, articles: int) -> Report:
    tally = Tally()
    stop = threading.Event()
    run_id = f"zload{uuid.uuid4().hex[:8]}"
    keys: list[str] = []

    def budget() -> bool:
        return len(tally.latencies_ms) < max_requests

    threads = [
        threading.Thread(target=_searcher, args=(config.api_url, tally, stop, budget, n), daemon=True)
        for n in range(concurrency)
    ]
    uploader = threading.Thread(target=_uploader, args=(config, run_id, articles, duration_s, keys), daemon=True)
    started = time.monotonic()
    uploader.start()
    for thread in threads:
        thread.start()
    deadline = started + duration_s
    while time.monotonic() < deadline and budget():
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    elapsed = time.monotonic() - started
    uploader.join(timeout=60)
    searchable, all_after = 0, None

    def all_searchable() -> bool:
        nonlocal searchable
        searchable = _searchable(config, run_id)
        return searchable >= len(keys)

    with contextlib.suppress(TimeoutError):
        wait_until(all_searchable, "the uploaded articles searchable", SEARCHABLE_WAIT_S)
        all_after = round(time.monotonic() - started, 1)
    latencies = tally.latencies_ms
    return Report(
        duration_s=round(elapsed, 1),
        concurrency=concurrency,
        requests=len(latencies),
        errors=sum(tally.errors.values()),
        error_kinds=tally.errors,
        throughput_rps=round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(percentile(latencies, 50), 1),
        p95_ms=round(percentile(latencies, 95), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        max_ms=round(max(latencies, default=0.0), 1),
        articles_uploaded=len(keys),
        articles_searchable=searchable,
        all_searchable_after_s=all_after,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="docsearch-load", description=__doc__)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of searching (default 20)")
    parser.add_argument("--max-requests", type=int, default=5000, help="stop after this many searches")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent search clients")
    parser.add_argument("--articles", type=int, default=50, help="articles uploaded during the run")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 600 or not 0 < args.max_requests <= 1_000_000 or not 0 < args.concurrency <= 64:
        parser.error("duration must be in (0, 600], max-requests in (0, 1e6], concurrency in (0, 64]")
    report = run(stack_config(), args.duration, args.max_requests, args.concurrency, args.articles)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
    else:
        print(
            f"{report.requests} searches in {report.duration_s}s with {report.concurrency} clients: "
            f"{report.throughput_rps} req/s, p50 {report.p50_ms} ms, p95 {report.p95_ms} ms, "
            f"p99 {report.p99_ms} ms, max {report.max_ms} ms, errors {report.errors} {report.error_kinds or ''}\n"
            f"{report.articles_searchable}/{report.articles_uploaded} articles uploaded during the run searchable"
            + (f" ({report.all_searchable_after_s}s after start)" if report.all_searchable_after_s else "")
        )
    ok = report.errors == 0 and report.articles_searchable >= report.articles_uploaded
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
