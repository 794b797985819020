"""The benchmark: every figure beside a baseline measured in the same run on the same engine.

- ingest: the whole path (S3 notifications in an SQS queue -> long poll of up to 10 -> ingest
  handler -> delete of the done messages) vs the same S3 reads (ten at once) plus a plain ``_bulk``
  of each batch of ten already clean documents into a sibling index; interleaved in rounds.
- search: the search handler in-process (and the HTTP gateway) vs the same engine requests the API
  makes (the query body, with the highlighting and facets it sends, then the search for the other
  copies of the page's stories when it has any) straight to the engine; interleaved query by query.
- cold start: CPU time of importing each handler in a fresh interpreter that sees only what it
  sees on Lambda (its folder, the layer, the runtime's packages) vs ``import boto3`` there
  (median, interleaved), the heaviest imports (``-X importtime``), and a cold first search; and
  the first ``/search`` answer of a cold function under ``sam local start-api`` vs the first answer
  of a handler that only imports boto3, in the same image and API (bench.sam_cold).
- memory: peak RSS of the ingest handler on a batch of ten maximum-size objects, in a child.
- layer: size of the layer as ``sam build`` makes it (layers/docsearch/Makefile).
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
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import requests
from aws_lambda_powertools.utilities.typing import LambdaContext
from opensearchpy import OpenSearch, helpers

from bench.corpus import Generated, big_article, generate, vocabulary
from bench.embedding import embedding_costs
from bench.measure import (
    FIRST_SEARCH,
    REPO,
    cpu_import_code,
    cpu_ms,
    import_time,
    layer_size,
    python_env,
    quiet,
    summary_ms,
    timed,
)
from bench.poller import Poller
from bench.sam_cold import sam_local_cold
from docsearch.index.definition import ensure_index
from docsearch.ingest.article import Article, IndexedArticle, document_id
from docsearch.settings import DEFAULT_MAX_OBJECT_BYTES, DEFAULT_OPENSEARCH_TIMEOUT_S, get_settings
from docsearch_local.aws_resources import clients
from docsearch_local.events import s3_notification, to_sqs_event
from docsearch_local.lambda_context import LocalContext
from docsearch_local.lambda_layout import LambdaLayout
from docsearch_local.paths import StackConfig, stack_config
from docsearch_local.sam_local import BUILT_TEMPLATE
from docsearch_local.worker import BATCH_SIZE as BATCH  # what the SQS event source hands the function
from docsearch_local.worker import successful_receipts

# Each figure's (function folder, module): a handler is `app` in its own folder, as Lambda imports it.
LAMBDA_IMPORTS: dict[str, tuple[str | None, str]] = {
    "boto3": (None, "boto3"),
    "functions.ingest.app": ("ingest", "app"),
    "functions.search.app": ("search", "app"),
}
COLD_MAIN = tuple(LAMBDA_IMPORTS)
LAMBDA_SETTING = "python -I -S -B; sys.path: the function's folder, the layer (sam build), the runtime's packages"
# What the handlers pull in, each imported alone: what a lazy import of it would save at cold start.
COMPONENTS = (
    "opensearchpy",
    "pydantic",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.batch",
)
MEMORY_ENGINE_TIMEOUT_S = 180
QUEUE_FEED = 50  # notifications queued at a time (see run_path)
MAX_OBJECT_BYTES = DEFAULT_MAX_OBJECT_BYTES  # the default MaxObjectBytes: the largest object ingested


@dataclass
class Options:
    sizes: list[int] = field(default_factory=lambda: [1000, 10000])
    queries: int = 400  # per subject and size: with 200 the p50 overhead moved by about ±5 points between runs
    import_runs: int = 9
    memory_articles: int = 10
    memory_article_bytes: int = MAX_OBJECT_BYTES
    round_docs: int = 500  # rounds alternate which goes first: a stage of 1,000 is two rounds, one each way
    diagnostics_docs: int = 500
    gateway: bool = True
    import_components: bool = True
    layer: bool = True
    # Cold first /search under `sam local start-api` (Docker, Lambda's image: `make lambda-image`), rounds
    # of one start-api each, and the warm requests after: bench.sam_cold.
    sam_local: bool = True
    sam_rounds: int = 3
    sam_warm: int = 5
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
        self.s3: Any = clients(self.config)[0]
        self.sqs: Any = clients(self.config)[1]
        self.queue_url = ""
        self.queue_arn = ""
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

    def open_bucket_and_queue(self) -> None:
        """The run's own bucket and queue (cleanup removes them)."""
        self.s3.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": self.config.region})
        # A failed message is counted, not retried: it must not come back during the run.
        self.queue_url = self.sqs.create_queue(QueueName=self.prefix, Attributes={"VisibilityTimeout": "900"})[
            "QueueUrl"
        ]
        self.queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

    def clean_action(self, a: Generated, index: str) -> dict[str, Any]:
        article = Article(title=a.title, body=a.text, source=a.source, author=a.author, published_at=a.published_at)
        doc = IndexedArticle(self.bucket, a.key, article, len(a.body), hashlib.sha256(a.body).hexdigest())
        return {"_index": index, "_id": document_id(self.bucket, a.key), "_source": doc.to_document()}

    def run_path(self, keys: Sequence[str]) -> tuple[float, int]:
        """The whole ingest path over ``keys``, queue polling included; (seconds, failed messages).

        The notifications are queued first (S3 does that, not us); the clock then runs over what
        Lambda's SQS poller and one function instance do: receive up to 10, call the handler, delete
        what is done. As Lambda's poller does, receiving the next batch and deleting the last one
        run beside the function, never two handler calls at once.
        """
        seconds = 0.0
        failures = 0
        poller = Poller(self.queue_url)
        try:
            # moto scans the whole queue on every receive (SQS does not): fed QUEUE_FEED at a time, the
            # emulator's receive stays as cheap as the service's instead of growing with the backlog.
            for part in chunks(keys, QUEUE_FEED):
                spent, failed = self._run_queued(part, poller)
                seconds += spent
                failures += failed
        finally:
            poller.close()
        return seconds, failures

    def _run_queued(self, keys: Sequence[str], poller: Poller) -> tuple[float, int]:
        from functions.ingest.app import lambda_handler

        for part in chunks(
            [s3_notification(self.bucket, k, sequencer=uuid.uuid4().hex[:16].upper(), size=0) for k in keys], BATCH
        ):
            entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(part)]
            self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries)

        failures = handled = idle = 0
        started = time.perf_counter()
        with quiet():
            poller.receive()
            while handled < len(keys):
                messages = poller.batch()
                if not messages:
                    idle += 1
                    if idle > 30:
                        raise RuntimeError(f"the bench queue ran dry after {handled} of {len(keys)} messages")
                    poller.receive()
                    continue
                handled += len(messages)
                if handled < len(keys):
                    poller.receive()
                event = to_sqs_event(messages, self.queue_arn, self.config.region)
                response = lambda_handler(event, LocalContext("docsearch-ingest", timeout_s=900))
                failures += len(response.get("batchItemFailures", []))
                done = successful_receipts(messages, response)
                if done:
                    poller.delete(done)
            poller.flush()  # the last delete is part of the path
        return time.perf_counter() - started, failures

    def run_reads_and_bulk(self, part: Sequence[Generated], index: str) -> float:
        """The baseline: per batch of ten, the same S3 reads (ten at once) and one plain ``_bulk``."""
        from docsearch.ingest.objects import fetch_object

        actions = [self.clean_action(a, index) for a in part]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=BATCH) as pool:
            for i in range(0, len(part), BATCH):
                keys = [a.key for a in part[i : i + BATCH]]
                objects = list(pool.map(lambda k: fetch_object(self.bucket, k, MAX_OBJECT_BYTES), keys))
                assert len(objects) == len(keys)
                lines = []
                for action in actions[i : i + BATCH]:
                    meta = {"index": {"_index": action["_index"], "_id": action["_id"]}}
                    lines += [json.dumps(meta), json.dumps(action["_source"], ensure_ascii=False)]
                response = self.engine.bulk(body="\n".join(lines) + "\n")
                assert not response["errors"], response
        return time.perf_counter() - started

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
        if self.queue_url:
            with contextlib.suppress(Exception):
                self.sqs.delete_queue(QueueUrl=self.queue_url)
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
        if self.options.sam_local and not BUILT_TEMPLATE.exists():  # before the long part, not after it
            raise RuntimeError(f"{BUILT_TEMPLATE} is missing: `make bench` runs sam build (or use --quick)")
        # The layer as `sam build` makes it, built once: the size row and the cold imports use it.
        with tempfile.TemporaryDirectory(prefix="bench-lambda-") as tmp:
            self.layout = LambdaLayout.build(Path(tmp))
            return self._run()

    def _run(self) -> dict[str, Any]:
        o = self.options
        report: dict[str, Any] = {"meta": self.meta()}
        self.open_bucket_and_queue()
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
            # Imports before the memory batch: the engine indexes its 100 MB for a while after it.
            report["embedding"] = embedding_costs()
            self.log(f"embedding: {report['embedding']}")
            report["cold_start"] = self.cold_start(path_alias)
            self.log(f"cold start: {report['cold_start']}")
            report["memory"] = self.memory()
            self.log(f"memory: {report['memory']}")
            if o.sam_local:
                query = self.queries(1)[0]
                report["sam_local"] = sam_local_cold(self.config, path_alias, query, o.sam_rounds, o.sam_warm, self.log)
                self.log(f"sam local: {report['sam_local']}")
        finally:
            self.cleanup()
            if saved_alias is None:
                os.environ.pop("INDEX_ALIAS", None)
            else:
                os.environ["INDEX_ALIAS"] = saved_alias
            get_settings.cache_clear()
        if o.layer:
            report["layer"] = layer_size(self.layout.layer)
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
        path_s = base_s = 0.0
        failures = 0
        for r in range(rounds):
            part = articles[r * per_round : (r + 1) * per_round]
            keys = [a.key for a in part]
            first_path = r % 2 == 0
            if first_path:
                seconds, failed = self.run_path(keys)
            base_s += self.run_reads_and_bulk(part, limit_alias)
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
            "baseline_docs_per_s": round(n / base_s, 1),
            "ratio": round(base_s / path_s, 3),
            "failed_messages": failures,
            "upload_docs_per_s": round(upload_rate, 1),
        }

    def queries(self, count: int) -> list[str]:
        rng = random.Random(self.options.seed)  # noqa: S311
        words = vocabulary().content_words()
        return [" ".join(rng.sample(words, rng.choice((1, 2, 2, 3)))) for _ in range(count)]

    def search_stage(self, size: int, alias: str) -> dict[str, Any]:
        from docsearch.search.client import SearchClient
        from docsearch.search.grouping import copies_query
        from docsearch.search.models import SearchRequest
        from docsearch.search.query import build_search
        from docsearch.search.run import engine_answers
        from docsearch_local.gateway import serve, to_http_api_event
        from functions.search.app import lambda_handler

        queries = self.queries(self.options.queries + 10)  # the first ten warm up
        # What API Gateway hands the function, made before any clock runs: the handler row times the handler in
        # lexical mode (the engine requests the direct row makes; hybrid, the default, is its own row).
        events = {q: to_http_api_event("GET", f"/search?{urlencode({'q': q, 'mode': 'lexical'})}", {"host": "bench"},
                                       b"", "127.0.0.1") for q in queries}  # fmt: skip
        hybrid_events = {q: to_http_api_event("GET", f"/search?{urlencode({'q': q, 'mode': 'hybrid'})}",
                                              {"host": "bench"}, b"", "127.0.0.1") for q in queries}  # fmt: skip
        context = cast(LambdaContext, LocalContext("docsearch-search"))  # the stand-in has what Powertools reads

        def handler(q: str) -> None:
            with quiet():
                response = lambda_handler(events[q], context)
            assert response["statusCode"] == 200, response

        def handler_hybrid(q: str) -> None:
            """The same handler in hybrid mode (the query embedded in-process, the two rankings fused)."""
            with quiet():
                response = lambda_handler(hybrid_events[q], context)
            assert response["statusCode"] == 200 and '"mode":"hybrid"' in response["body"], response

        pages: list[dict[str, Any]] = []  # the engine's pages, to count afterwards those with copies searched
        reader = SearchClient(self.config.opensearch_url, timeout_s=120)  # the HTTP client the handler uses

        def engine_requests(body: dict[str, Any]) -> None:
            """What the API asks of the engine, straight (search/run.py): the page, then the copies search."""
            pages.append(engine_answers(reader, alias, body)[0])

        def direct(q: str) -> None:
            engine_requests(build_search(SearchRequest.model_validate({"q": q})))

        def variant(drop: str) -> Callable[[str], None]:
            """The direct requests without one part of the search body: what that part costs the engine."""

            def run(q: str) -> None:
                body = build_search(SearchRequest.model_validate({"q": q}))
                body.pop(drop, None)
                engine_requests(body)

            return run

        timings: dict[str, list[float]] = {"handler": [], "direct": [], "handler_hybrid": []}
        subjects: dict[str, Callable[[str], None]] = {
            "handler": handler,
            "direct": direct,
            "handler_hybrid": handler_hybrid,
        }
        if size == max(self.options.sizes):
            for part in ("highlight", "aggs"):
                subjects[f"direct_without_{part}"] = variant(part)
                timings[f"direct_without_{part}"] = []
        cpu_s: dict[str, list[float]] = {name: [] for name in ("handler", "direct", "handler_hybrid")}
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
            for q in queries[:10]:
                for fn in subjects.values():
                    fn(q)
            names = list(subjects)
            for i, q in enumerate(queries[10:]):
                order = names[i % len(names) :] + names[: i % len(names)]  # each subject first as often
                for name in order:
                    cpu = time.process_time()
                    seconds, _ = timed(functools.partial(subjects[name], q))
                    cpu_s.setdefault(name, []).append(time.process_time() - cpu)
                    timings[name].append(seconds)
        finally:
            if server is not None:
                server.shutdown()
                server.server_close()
        result: dict[str, Any] = {"size": size, **{name: summary_ms(t) for name, t in timings.items()}}
        # This process's CPU per request (the engine's runs elsewhere): what the handler itself adds.
        result["cpu_ms_p50"] = {
            name: round(statistics.median(cpu_s[name]) * 1000, 3) for name in ("handler", "direct", "handler_hybrid")
        }
        searched = [copies_query(page) is not None for page in pages]
        result["copies_search_share"] = round(sum(searched) / max(1, len(searched)), 3)
        base = result["direct"]
        for name in timings:
            if name.startswith("direct_without_"):
                result[f"{name}_vs_direct_p50"] = round(result[name]["p50_ms"] / base["p50_ms"], 3)
            elif name != "direct":
                result[f"{name}_overhead_p50"] = round(result[name]["p50_ms"] / base["p50_ms"] - 1, 3)
                result[f"{name}_overhead_p95"] = round(result[name]["p95_ms"] / base["p95_ms"] - 1, 3)
        return result

    def diagnostics(self, sample: list[Generated]) -> dict[str, Any]:
        """Where the ingest path's time goes: each step alone on the same sample, and the path
        with the objects served from memory."""
        from docsearch.ingest.extract import Unindexable, extract_article
        from docsearch.ingest.objects import fetch_object

        keys = [a.key for a in sample]
        n = len(sample)
        out: dict[str, Any] = {"docs": n, "bytes_per_doc": round(sum(len(a.body) for a in sample) / n)}
        fetch_s, objects = timed(lambda: [fetch_object(self.bucket, k, MAX_OBJECT_BYTES) for k in keys])
        out["s3_get_docs_per_s"] = round(n / fetch_s, 1)
        with ThreadPoolExecutor(max_workers=BATCH) as pool:
            parallel_s, _ = timed(
                lambda: list(pool.map(lambda k: fetch_object(self.bucket, k, MAX_OBJECT_BYTES), keys))
            )
        out["s3_get_10_threads_docs_per_s"] = round(n / parallel_s, 1)
        # Reading the bytes: decoding and splitting every object into lines, the least extraction does.
        decode_s, _ = timed(lambda: [obj.body.decode("utf-8", "replace").splitlines() for obj in objects])
        out["decode_docs_per_s"] = round(n / decode_s, 1)
        per_format: dict[str, list[float]] = {}
        for obj in objects:  # as the path calls it: with the key and the content type
            started = time.process_time()
            with contextlib.suppress(Unindexable):
                extract_article(obj.body, obj.metadata, key=obj.key, content_type=obj.content_type)
            per_format.setdefault(obj.key.rsplit(".", 1)[-1], []).append(time.process_time() - started)
        spent = sum(sum(v) for v in per_format.values())
        out["extract_docs_per_s"] = round(n / spent, 1)
        out["extract_ms_by_format"] = {
            fmt: {"n": len(v), "mean_ms": round(statistics.fmean(v) * 1000, 2)} for fmt, v in sorted(per_format.items())
        }

        # The same clean documents: _bulk of 10 plain, of 10 as the path writes new keys (create, through the
        # alias), of 500.
        def created(alias: str) -> list[dict[str, Any]]:
            return [{**self.clean_action(a, alias), "_op_type": "create"} for a in sample]

        variants: dict[str, Callable[[str], float]] = {
            "bulk10": lambda alias: self.run_limit([self.clean_action(a, alias) for a in sample], chunk=10),
            "bulk10_create": lambda alias: self.run_limit(created(alias), chunk=10),
            "bulk500": lambda alias: self.run_limit([self.clean_action(a, alias) for a in sample], chunk=500),
        }
        for name, fn in variants.items():
            alias = self.alias(f"diag-{name}")
            self.create_index(alias)
            out[f"{name}_docs_per_s"] = round(n / fn(alias), 1)
        out["path_without_s3_docs_per_s"] = round(n / self.path_from_memory(sample, objects), 1)
        return out

    def path_from_memory(self, sample: list[Generated], objects: list[Any]) -> float:
        """The whole path (queue included) with the objects served from memory: the path without S3."""
        from docsearch.ingest import batch as ingest_batch

        held = {obj.key: obj for obj in objects}
        original = ingest_batch.fetch_object
        alias = self.alias("diag-nos3")
        self.create_index(alias)
        self.use_alias(alias)
        ingest_batch.fetch_object = lambda _b, k, _m: held[k]  # type: ignore[assignment,misc]
        try:
            seconds, _ = self.run_path([a.key for a in sample])
        finally:
            ingest_batch.fetch_object = original
        return seconds

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
            "default_engine_timeout_s": DEFAULT_OPENSEARCH_TIMEOUT_S,
        }

    def cold_start(self, alias: str) -> dict[str, Any]:
        """CPU time of each import in a fresh interpreter that sees what the function sees on Lambda
        (its folder, the layer, the runtime's packages: LambdaLayout), interleaved run by run, median
        (wall time on a shared machine measures the neighbours); the heaviest imports (``-X importtime``)."""
        from docsearch_local.gateway import to_http_api_event

        env = {**os.environ, **self.config.env(), "POWERTOOLS_TRACE_DISABLED": "true", "INDEX_ALIAS": alias}
        subjects = {name: where for name, where in LAMBDA_IMPORTS.items() if name in COLD_MAIN}
        if self.options.import_components:
            subjects.update({name: (None, name) for name in COMPONENTS})
        runs: dict[str, list[float]] = {name: [] for name in subjects}
        first: list[float] = []
        event = to_http_api_event("GET", "/search?q=banjir+jakarta", {"host": "bench"}, b"", "127.0.0.1")
        first_search = self.layout.command(FIRST_SEARCH, "search", json.dumps(event))
        for i in range(self.options.import_runs):
            for name in runs if i % 2 == 0 else list(runs)[::-1]:
                function, module = subjects[name]
                runs[name].append(cpu_ms(self.layout.command(cpu_import_code(module), function), env))
            first.append(cpu_ms(first_search, env))
        base = statistics.median(runs["boto3"])
        out: dict[str, Any] = {"runs": self.options.import_runs, "measure": "CPU ms", "setting": LAMBDA_SETTING}
        for name, values in runs.items():
            function, module = subjects[name]
            median = statistics.median(values)
            command = self.layout.command(f"import {module}", function, importtime=True)
            out[name] = {
                "median_ms": round(median, 1),
                "vs_boto3": round(median / base, 3),
                "heaviest": [{"module": m, "ms": round(ms, 1)} for m, ms in import_time(command, env, module)[:6]],
            }
        out["first_search"] = {"median_ms": round(statistics.median(first), 1)}
        out["first_search"]["vs_boto3"] = round(out["first_search"]["median_ms"] / base, 3)
        return out


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def run(options: Options, log: Callable[[str], None] = print) -> dict[str, Any]:
    return Bench(stack_config(), options, log=log).run()
