"""The benchmark: every figure beside a baseline measured in the same run on the same engine.

- ingest: whole path (S3 object -> SQS-shaped event of 10 -> ingest handler -> _bulk) vs a plain
  ``helpers.bulk`` of the same, already clean documents into a sibling index (the engine's limit);
  the two are interleaved in rounds so the machine's noise hits both.
- search: the search handler in-process (and the HTTP gateway) vs the same query body sent
  straight to the engine; interleaved query by query.
- cold start: ``-X importtime`` of each handler vs ``import boto3``, fresh processes, median.
- memory: peak RSS of the ingest handler on ten large articles, in a child process.
- layer: size of the deployed layer.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import boto3
import requests
from opensearchpy import OpenSearch, helpers

from bench.corpus import Generated, big_article, generate, vocabulary
from bench.events import sqs_event
from bench.measure import REPO, import_time, layer_size, python_env, quiet, summary_ms, timed
from docsearch.index.definition import ensure_index
from docsearch.ingest.article import Article, IndexedArticle, document_id
from docsearch.settings import Settings, get_settings
from docsearch_local.lambda_context import LocalContext
from docsearch_local.paths import StackConfig, stack_config

HANDLERS = ("functions.ingest.app", "functions.search.app")
# What the handlers pull in, each imported alone: what a lazy import of it would save at cold start.
COMPONENTS = (
    "opensearchpy",
    "pydantic",
    "aws_lambda_powertools.tracing",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.batch",
)
MEMORY_ENGINE_TIMEOUT_S = 180
BATCH = 10  # what the SQS event source hands the ingest function


@dataclass
class Options:
    sizes: list[int] = field(default_factory=lambda: [1000, 10000])
    queries: int = 200
    import_runs: int = 9
    memory_articles: int = 10
    memory_article_bytes: int = 5 * 1024 * 1024
    round_docs: int = 2000
    diagnostics_docs: int = 500
    gateway: bool = True
    import_components: bool = True
    layer: bool = True
    mode: str = "full"
    seed: int = 7


@dataclass
class Bench:
    config: StackConfig
    options: Options
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    log: Callable[[str], None] = print

    def __post_init__(self) -> None:
        self.prefix = f"bench-{self.run_id}"
        self.bucket = f"docsearch-{self.prefix}"
        os.environ.update(self.config.env())
        self.s3: Any = boto3.client("s3", endpoint_url=self.config.aws_url, region_name=self.config.region)
        # The baseline client: opensearch-py's defaults, nothing tuned.
        self.engine = OpenSearch(hosts=[self.config.opensearch_url], timeout=120)

    # -- plumbing -----------------------------------------------------------------------------------

    def alias(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def use_alias(self, alias: str) -> None:
        """Point the handlers (which read INDEX_ALIAS through cached settings) at ``alias``."""
        os.environ["INDEX_ALIAS"] = alias
        get_settings.cache_clear()

    def upload(self, articles: Sequence[Generated]) -> float:
        def put(a: Generated) -> None:
            self.s3.put_object(
                Bucket=self.bucket, Key=a.key, Body=a.body, ContentType=a.content_type, Metadata=a.metadata
            )

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(put, articles))
        return len(articles) / (time.perf_counter() - started)

    def clean_action(self, a: Generated, index: str) -> dict[str, Any]:
        article = Article(title=a.title, body=a.text, source=a.source, author=a.author, published_at=a.published_at)
        doc = IndexedArticle(self.bucket, a.key, article, len(a.body), hashlib.sha256(a.body).hexdigest())
        return {"_index": index, "_id": document_id(self.bucket, a.key), "_source": doc.to_document()}

    def run_path(self, keys: Sequence[str], batch: int = BATCH) -> tuple[float, int]:
        """The whole ingest path over ``keys`` in SQS batches of ``batch``; (seconds, failed messages)."""
        from functions.ingest.app import lambda_handler

        events = [sqs_event(self.bucket, list(keys[i : i + batch])) for i in range(0, len(keys), batch)]
        failures = 0
        started = time.perf_counter()
        with quiet():
            for event in events:
                response = lambda_handler(event, LocalContext("docsearch-ingest", timeout_s=900))
                failures += len(response.get("batchItemFailures", []))
        return time.perf_counter() - started, failures

    def run_limit(self, actions: list[dict[str, Any]], chunk: int = 500, client: OpenSearch | None = None) -> float:
        started = time.perf_counter()
        ok, errors = helpers.bulk(client or self.engine, actions, chunk_size=chunk, max_chunk_bytes=50 * 2**20)
        assert not errors and ok == len(actions), errors
        return time.perf_counter() - started

    def create_index(self, alias: str) -> None:
        ensure_index(self.engine, alias)

    def cleanup(self) -> None:
        for attempt in range(30):  # the shared engine may be restarting: wait for it rather than leak indices
            try:
                self.engine.indices.delete(index=f"{self.prefix}-*", ignore_unavailable=True)
                break
            except Exception as error:
                self.log(f"cleanup: engine not answering ({error!r}); retrying")
                time.sleep(2 + attempt)
        try:
            paginator = self.s3.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket):
                keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
                if keys:
                    self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})
            self.s3.delete_bucket(Bucket=self.bucket)
        except self.s3.exceptions.NoSuchBucket:
            pass

    # -- the figures --------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        o = self.options
        report: dict[str, Any] = {"meta": self.meta()}
        self.s3.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": self.config.region})
        path_alias, limit_alias = self.alias("path"), self.alias("limit")
        saved_alias = os.environ.get("INDEX_ALIAS")
        try:
            self.create_index(path_alias)
            self.create_index(limit_alias)
            self.use_alias(path_alias)
            report["ingest"], report["search"] = [], []
            done = 0
            for stage, size in enumerate(sorted(o.sizes)):
                articles = [generate(i, o.seed) for i in range(done, size)]
                upload_rate = self.upload(articles)
                self.log(f"[{size}] uploaded {len(articles)} objects ({upload_rate:.0f}/s); ingesting")
                if stage == 0:
                    report["diagnostics"] = self.diagnostics(articles[: o.diagnostics_docs])
                    self.use_alias(path_alias)
                report["ingest"].append(self.ingest_stage(size, articles, path_alias, limit_alias, upload_rate))
                self.log(f"[{size}] ingest: {report['ingest'][-1]}")
                self.engine.indices.refresh(index=[path_alias, limit_alias])
                report["search"].append(self.search_stage(size, path_alias))
                self.log(f"[{size}] search: {report['search'][-1]}")
                done = size
            report["memory"] = self.memory()
            self.log(f"memory: {report['memory']}")
        finally:
            self.cleanup()
            if saved_alias is None:
                os.environ.pop("INDEX_ALIAS", None)
            else:
                os.environ["INDEX_ALIAS"] = saved_alias
            get_settings.cache_clear()
        report["cold_start"] = self.cold_start()
        self.log(f"cold start: {report['cold_start']}")
        if o.layer:
            report["layer"] = layer_size()
        report["meta"]["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        return report

    def meta(self) -> dict[str, Any]:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
        version = self.engine.info()["version"]["number"]
        return {
            "mode": self.options.mode,
            "sizes": sorted(self.options.sizes),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": commit.stdout.strip(),
            "python": platform.python_version(),
            "opensearch": version,
            "cpus": os.cpu_count(),
            "load_avg_1m": os.getloadavg()[0],
            "run_id": self.run_id,
        }

    def ingest_stage(
        self, size: int, articles: list[Generated], path_alias: str, limit_alias: str, upload_rate: float
    ) -> dict[str, Any]:
        rounds = max(1, round(len(articles) / self.options.round_docs))
        per_round = -(-len(articles) // rounds)
        path_s = limit_s = 0.0
        failures = 0
        for r in range(rounds):
            part = articles[r * per_round : (r + 1) * per_round]
            actions = [self.clean_action(a, limit_alias) for a in part]
            keys = [a.key for a in part]
            first_path = r % 2 == 0
            if first_path:
                seconds, failed = self.run_path(keys)
            limit_s += self.run_limit(actions)
            if not first_path:
                seconds, failed = self.run_path(keys)
            path_s += seconds
            failures += failed
        n = len(articles)
        return {
            "size": size,
            "docs": n,
            "rounds": rounds,
            "path_docs_per_s": round(n / path_s, 1),
            "limit_docs_per_s": round(n / limit_s, 1),
            "ratio": round(limit_s / path_s, 3),
            "failed_messages": failures,
            "upload_docs_per_s": round(upload_rate, 1),
        }

    def queries(self, count: int) -> list[str]:
        rng = random.Random(self.options.seed)  # noqa: S311
        words = vocabulary().content_words()
        return [" ".join(rng.sample(words, rng.choice((1, 2, 2, 3)))) for _ in range(count)]

    def search_stage(self, size: int, alias: str) -> dict[str, Any]:
        from docsearch.search.models import SearchRequest
        from docsearch.search.query import build_search
        from docsearch_local.gateway import serve, to_http_api_event
        from functions.search.app import lambda_handler

        def handler(q: str) -> None:
            event = to_http_api_event("GET", f"/search?{urlencode({'q': q})}", {"host": "bench"}, b"", "127.0.0.1")
            with quiet():
                response = lambda_handler(event, LocalContext("docsearch-search"))
            assert response["statusCode"] == 200, response

        def direct(q: str) -> None:
            self.engine.search(index=alias, body=build_search(SearchRequest.model_validate({"q": q})))

        def variant(drop: str) -> Callable[[str], None]:
            """The direct query without one part of the body: what that part costs the engine."""

            def run(q: str) -> None:
                body = build_search(SearchRequest.model_validate({"q": q}))
                body.pop(drop, None)
                self.engine.search(index=alias, body=body)

            return run

        timings: dict[str, list[float]] = {"handler": [], "direct": []}
        subjects: dict[str, Callable[[str], None]] = {"handler": handler, "direct": direct}
        if size == max(self.options.sizes):
            for part in ("highlight", "aggs"):
                subjects[f"direct_without_{part}"] = variant(part)
                timings[f"direct_without_{part}"] = []
        server = None
        if self.options.gateway:
            server = serve(0)
            handler_class: Any = server.RequestHandlerClass
            server.RequestHandlerClass = type("QuietHandler", (handler_class,), {"log_message": lambda *_: None})
            threading.Thread(target=server.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{server.server_address[1]}/search"
            session = requests.Session()

            def gateway(q: str) -> None:
                session.get(url, params={"q": q}, timeout=30).raise_for_status()

            subjects["gateway"] = gateway
            timings["gateway"] = []
        try:
            warmup = self.queries(10)
            for q in warmup:
                for fn in subjects.values():
                    fn(q)
            names = list(subjects)
            for i, q in enumerate(self.queries(self.options.queries + 10)[10:]):
                order = names if i % 2 == 0 else names[::-1]
                for name in order:
                    seconds, _ = timed(functools.partial(subjects[name], q))
                    timings[name].append(seconds)
        finally:
            if server is not None:
                server.shutdown()
                server.server_close()
        result: dict[str, Any] = {"size": size, **{name: summary_ms(t) for name, t in timings.items()}}
        base = result["direct"]
        for name in timings:
            if name.startswith("direct_without_"):
                result[f"{name}_vs_direct_p50"] = round(result[name]["p50_ms"] / base["p50_ms"], 3)
            elif name != "direct":
                result[f"{name}_overhead_p50"] = round(result[name]["p50_ms"] / base["p50_ms"] - 1, 3)
                result[f"{name}_overhead_p95"] = round(result[name]["p95_ms"] / base["p95_ms"] - 1, 3)
        return result

    def diagnostics(self, sample: list[Generated]) -> dict[str, Any]:
        """Where the ingest path's time goes, and what the client settings in engine.py are worth."""
        from docsearch.engine import build_client
        from docsearch.ingest.extract import Unindexable, extract_article
        from docsearch.ingest.objects import fetch_object

        keys = [a.key for a in sample]
        n = len(sample)
        out: dict[str, Any] = {"docs": n}
        fetch_s, objects = timed(lambda: [fetch_object(self.bucket, k, 10 * 2**20) for k in keys])
        out["s3_get_docs_per_s"] = round(n / fetch_s, 1)
        with ThreadPoolExecutor(max_workers=BATCH) as pool:
            parallel_s, _ = timed(lambda: list(pool.map(lambda k: fetch_object(self.bucket, k, 10 * 2**20), keys)))
        out["s3_get_10_threads_docs_per_s"] = round(n / parallel_s, 1)

        def extract_all() -> None:
            for obj in objects:
                with contextlib.suppress(Unindexable):
                    extract_article(obj.body, obj.metadata)

        extract_s, _ = timed(extract_all)
        out["extract_docs_per_s"] = round(n / extract_s, 1)
        # The same clean documents in _bulk requests of 10 (the path's batch) vs 500 (the limit's).
        for chunk in (10, 500):
            alias = self.alias(f"diag-bulk{chunk}")
            self.create_index(alias)
            seconds = self.run_limit([self.clean_action(a, alias) for a in sample], chunk=chunk)
            out[f"bulk{chunk}_docs_per_s"] = round(n / seconds, 1)
        # ensure_index runs on every invocation: what one call costs.
        client = build_client(get_settings())
        calls = 50
        ensure_s, _ = timed(lambda: [ensure_index(client, self.alias("path")) for _ in range(calls)])
        out["ensure_index_ms_per_call"] = round(ensure_s / calls * 1000, 3)
        out["compression"] = self.compression_experiment(sample)
        return out

    def compression_experiment(self, sample: list[Generated]) -> dict[str, Any]:
        """The ingest path with the engine client gzip on/off and SQS batches of 10/100, and the search
        handler with gzip on/off; variants interleaved over two halves of the sample."""
        import functions.ingest.app as ingest_app
        import functions.search.app as search_app
        from docsearch.engine import build_client
        from docsearch.ingest.objects import fetch_object
        from docsearch_local.gateway import to_http_api_event

        settings = get_settings()
        clients = {"gzip": build_client(settings, compress=True), "plain": build_client(settings, compress=False)}
        variants = {
            "gzip": ("gzip", BATCH),
            "plain": ("plain", BATCH),
            "batch100": ("gzip", 100),
            "nos3": ("gzip", BATCH),
        }
        original = ingest_app.get_client, search_app.get_client, ingest_app.fetch_object
        # "nos3": the objects are read once beforehand and served from memory: the path without S3's cost.
        held = {a.key: fetch_object(self.bucket, a.key, 10 * 2**20) for a in sample}
        ingest_s = dict.fromkeys(variants, 0.0)
        for name in variants:
            self.create_index(self.alias(f"diag-{name}"))
        halves = [sample[: len(sample) // 2], sample[len(sample) // 2 :]]
        search_ms: dict[str, list[float]] = {name: [] for name in clients}
        try:
            for i, half in enumerate(halves):
                for name in list(variants) if i % 2 == 0 else list(variants)[::-1]:
                    client_name, batch = variants[name]
                    ingest_app.get_client = lambda c=clients[client_name]: c  # type: ignore[assignment]
                    ingest_app.fetch_object = (lambda _b, k, _m: held[k]) if name == "nos3" else original[2]  # type: ignore[assignment,misc]
                    self.use_alias(self.alias(f"diag-{name}"))
                    seconds, _ = self.run_path([a.key for a in half], batch=batch)
                    ingest_s[name] += seconds
            self.engine.indices.refresh(index=self.alias("diag-*"))
            for i, q in enumerate(self.queries(60)):
                for name in list(clients) if i % 2 == 0 else list(clients)[::-1]:
                    search_app.get_client = lambda c=clients[name]: c  # type: ignore[assignment]
                    self.use_alias(self.alias(f"diag-{name}"))
                    event = to_http_api_event("GET", f"/search?{urlencode({'q': q})}", {}, b"", "127.0.0.1")
                    with quiet():
                        seconds, _ = timed(functools.partial(search_app.lambda_handler, event, LocalContext("s")))
                    if i >= 10:
                        search_ms[name].append(seconds)
        finally:
            ingest_app.get_client, search_app.get_client, ingest_app.fetch_object = original
        n = len(sample)
        gz, plain = (summary_ms(search_ms[k])["p50_ms"] for k in ("gzip", "plain"))
        return {
            "ingest_gzip_docs_per_s": round(n / ingest_s["gzip"], 1),
            "ingest_plain_docs_per_s": round(n / ingest_s["plain"], 1),
            "ingest_gzip_vs_plain": round(ingest_s["plain"] / ingest_s["gzip"], 3),
            "ingest_batch100_docs_per_s": round(n / ingest_s["batch100"], 1),
            "ingest_batch100_vs_batch10": round(ingest_s["gzip"] / ingest_s["batch100"], 3),
            "ingest_without_s3_docs_per_s": round(n / ingest_s["nos3"], 1),
            "search_gzip_p50_ms": gz,
            "search_plain_p50_ms": plain,
            "search_gzip_vs_plain_p50": round(gz / plain, 3),
        }

    def memory(self) -> dict[str, Any]:
        o = self.options
        big = [big_article(i, o.memory_article_bytes, prefix=f"{self.prefix}-big") for i in range(o.memory_articles)]
        self.upload(big)
        alias = self.alias("memory")
        self.create_index(alias)
        # A 50 MB _bulk with term vectors takes longer than the default 10 s engine timeout here; the figure is
        # memory, so the child gets room to finish, and the time it took is reported beside the default timeout.
        env = python_env(
            {
                **self.config.env(),
                "INDEX_ALIAS": alias,
                "POWERTOOLS_METRICS_DISABLED": "true",
                "OPENSEARCH_TIMEOUT_S": str(MEMORY_ENGINE_TIMEOUT_S),
            }
        )
        done = subprocess.run(
            [sys.executable, "-m", "bench.memory_child", self.bucket, *(a.key for a in big)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        )
        if done.returncode:
            raise RuntimeError(f"the memory child failed:\n{done.stderr[-3000:]}")
        child = json.loads(done.stderr.strip().splitlines()[-1])
        self.engine.indices.refresh(index=alias)
        indexed = self.engine.count(index=alias)["count"]
        batch_mb = sum(len(a.body) for a in big) / 2**20
        import_mb, peak_mb = child["import_kb"] / 1024, child["peak_kb"] / 1024
        return {
            "articles": len(big),
            "article_mb": round(o.memory_article_bytes / 2**20, 2),
            "batch_mb": round(batch_mb, 2),
            "rss_after_import_mb": round(import_mb, 1),
            "peak_rss_mb": round(peak_mb, 1),
            "growth_per_input_mb": round((peak_mb - import_mb) / batch_mb, 2),
            "seconds": round(child["s"], 2),
            "indexed": indexed,
            "failed_messages": child["f"],
            "error": child["error"],
            "default_engine_timeout_s": Settings.opensearch_timeout_s,
        }

    def cold_start(self) -> dict[str, Any]:
        env = python_env({**self.config.env(), "POWERTOOLS_TRACE_DISABLED": "true"})
        modules = ("boto3", *HANDLERS, *(COMPONENTS if self.options.import_components else ()))
        runs: dict[str, list[float]] = {m: [] for m in modules}
        heavy: dict[str, list[tuple[str, float]]] = {}
        for i in range(self.options.import_runs):
            for module in runs if i % 2 == 0 else list(runs)[::-1]:
                total, top = import_time(module, env)
                runs[module].append(total)
                heavy[module] = top
        base = statistics.median(runs["boto3"])
        out: dict[str, Any] = {"runs": self.options.import_runs}
        for module, values in runs.items():
            median = statistics.median(values)
            out[module] = {
                "median_ms": round(median, 1),
                "vs_boto3": round(median / base, 3),
                "heaviest": [{"module": m, "ms": round(ms, 1)} for m, ms in heavy[module][:6]],
            }
        return out


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def run(options: Options, log: Callable[[str], None] = print) -> dict[str, Any]:
    return Bench(stack_config(), options, log=log).run()
