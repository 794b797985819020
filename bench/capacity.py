"""`python -m bench --capacity 10000,30000,100000`: the corpus grown in stages, for capacity planning.

One index is grown stage by stage (bench.corpus articles, real-shaped: 80% plain text, 10% HTML pages,
10% JSON) through the whole ingest path, as ``make bench`` measures it (S3 notifications in an SQS queue,
long polls of up to 10, the ingest handler, deletes). After each stage, on the grown index:

- ingest throughput of that stage (articles/s, one function instance, the path alone: no baseline);
- search latency of the search handler in-process (API Gateway's event in, the JSON answer out),
  p50 and p99 over ``queries`` queries of 1-3 corpus words after ten warm-up ones;
- index bytes per article: the primary store after a flush, over the documents in it (one copy; a
  replica doubles it), beside the uploaded bytes per article.

The report is saved after every stage (bench/results/bench-capacity-*.json), so an interrupted run keeps
what it measured. The numbers feed docs/deploy.md's sizing table.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlencode

from aws_lambda_powertools.utilities.typing import LambdaContext

from bench.corpus import generate
from bench.measure import quiet, timed
from bench.report import save
from bench.run import Bench, Options
from docsearch_local.lambda_context import LocalContext
from docsearch_local.paths import stack_config
from docsearch_local.timing import percentile

WARM_UP_QUERIES = 10


def capacity(stages: list[int], queries: int = 200, log: Callable[[str], None] = print) -> dict[str, Any]:
    bench = Bench(stack_config(), Options(sizes=sorted(stages), queries=queries, sam_local=False, mode="capacity"))
    bench.log = log
    report: dict[str, Any] = {"meta": bench.meta(), "stages": []}
    alias = bench.alias("capacity")
    try:
        bench.open_bucket_and_queue()
        bench.create_index(alias)
        bench.use_alias(alias)
        done = 0
        for size in sorted(stages):
            report["stages"].append(_stage(bench, alias, done, size, queries))
            log(f"[{size}] {report['stages'][-1]}")
            report["meta"]["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
            save(report)
            done = size
    finally:
        bench.cleanup()
    return report


def _stage(bench: Bench, alias: str, done: int, size: int, queries: int) -> dict[str, Any]:
    articles = [generate(i, bench.options.seed) for i in range(done, size)]
    upload_rate = bench.upload(articles)
    bench.log(f"[{size}] uploaded {len(articles)} objects ({upload_rate:.0f}/s); ingesting")
    seconds, failed = bench.run_path([a.key for a in articles])
    bench.engine.indices.flush(index=alias)
    stats = bench.engine.indices.stats(index=alias, metric="store,docs")["_all"]["primaries"]
    docs = int(stats["docs"]["count"])
    return {
        "size": size,
        "docs": docs,
        "failed_messages": failed,
        "ingest_docs_per_s": round(len(articles) / seconds, 1),
        "index_bytes": int(stats["store"]["size_in_bytes"]),
        "index_bytes_per_article": round(stats["store"]["size_in_bytes"] / max(1, docs)),
        "uploaded_bytes_per_article": round(sum(len(a.body) for a in articles) / len(articles)),
        "search": _search_latency(bench, queries),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def _search_latency(bench: Bench, count: int) -> dict[str, Any]:
    from docsearch_local.gateway import to_http_api_event
    from functions.search.app import lambda_handler

    context = cast(LambdaContext, LocalContext("docsearch-search"))
    questions = bench.queries(count + WARM_UP_QUERIES)
    events = [to_http_api_event("GET", f"/search?{urlencode({'q': q})}", {"host": "bench"}, b"", "127.0.0.1")
              for q in questions]  # fmt: skip
    seconds: list[float] = []
    hits: list[int] = []
    for i, event in enumerate(events):
        with quiet():
            spent, response = timed(functools.partial(lambda_handler, event, context))
        assert response["statusCode"] == 200, response
        if i >= WARM_UP_QUERIES:
            seconds.append(spent)
            hits.append(int(json.loads(response["body"])["total"]))
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(ms, 50), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "n": len(ms),
        "median_total_hits": sorted(hits)[len(hits) // 2],
    }


def table(report: dict[str, Any]) -> str:
    lines = [
        "| articles | ingest (articles/s) | search p50 / p99 (ms) | index bytes / article (primary)"
        " | uploaded bytes / article |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in report["stages"]:
        lines.append(
            f"| {s['size']:,} | {s['ingest_docs_per_s']} | {s['search']['p50_ms']} / {s['search']['p99_ms']} "
            f"| {s['index_bytes_per_article']:,} | {s['uploaded_bytes_per_article']:,} |"
        )
    return "\n".join(lines)


def main(stages: list[int], queries: int, log: Callable[[str], None]) -> int:
    started = time.monotonic()
    report = capacity(stages, queries, log)
    print(table(report))
    print(f"\n{len(report['stages'])} stages in {time.monotonic() - started:.0f}s")
    return 0
