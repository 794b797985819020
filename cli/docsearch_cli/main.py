"""`docsearch`: the command line of the Indonesian news search.

Exit codes: 0 done, 1 failed (something unreachable, a part of the work failed),
2 usage (bad options, a path that does not exist, a query the API rejects).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from docsearch_cli import __version__, render
from docsearch_cli.target import Target, TargetError, add_target_options, resolve

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
HTTP_TIMEOUT_S = 30
Progress = Callable[[int, int], None]


class UsageError(Exception):
    """The user asked for something that cannot work as asked (exit 2)."""


class CommandFailed(Exception):
    """The command ran but could not do its work (exit 1)."""


# ---------------------------------------------------------------- output helpers


class Output:
    def __init__(self, as_json: bool) -> None:
        self.json = as_json
        self.out = render.console(sys.stdout)
        self.err = render.console(sys.stderr)

    def result(self, data: Any, lines: list[Any]) -> None:
        if self.json:
            render.print_json(data)
        else:
            for line in lines:
                self.out.print(line)

    @contextmanager
    def progress(self, what: str, unit: str) -> Iterator[Progress]:
        """A progress bar on stderr when it is a terminal (and not in --json mode); silent otherwise."""
        if self.json or not sys.stderr.isatty():
            yield lambda done, total: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn(what), BarColumn(), MofNCompleteColumn(), TextColumn(unit), TimeElapsedColumn())
        with Progress(*columns, console=self.err, transient=True) as bar:
            task = bar.add_task(what, total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total or None)

            yield update


# ---------------------------------------------------------------- commands


def cmd_upload(args: argparse.Namespace, target: Target, out: Output) -> int:
    from docsearch_cli.uploads import plan

    try:
        items = plan([Path(p) for p in args.paths], args.prefix)
    except FileNotFoundError as error:
        raise UsageError(f"no such file or folder: {error}") from error
    if not items:
        raise UsageError("nothing to upload (empty folders, or only hidden files)")
    target.need("bucket")
    s3 = target.client("s3")
    uploaded, failed = [], []
    with out.progress("uploading", "files") as progress:
        for done, item in enumerate(items, 1):
            try:
                with item.path.open("rb") as body:
                    s3.put_object(Bucket=target.bucket, Key=item.key, Body=body, ContentType=item.content_type)
                uploaded.append(item.key)
            except Exception as error:  # one bad file must not stop the rest
                failed.append({"key": item.key, "error": str(error)})
            progress(done, len(items))
    data = {"bucket": target.bucket, "uploaded": uploaded, "failed": failed}
    lines: list[Any] = [f"uploaded {len(uploaded)} of {len(items)} files to s3://{target.bucket}/"]
    lines += [f"  failed: {f['key']}: {f['error']}" for f in failed]
    out.result(data, lines)
    return EXIT_FAILURE if failed else EXIT_OK


def cmd_backfill(args: argparse.Namespace, target: Target, out: Output) -> int:
    from docsearch.index.backfill import backfill  # the ingest library's bulk indexing of what is in the bucket
    from docsearch.index.definition import ensure_index

    target.need("bucket")
    client = target.opensearch()
    ensure_index(client, target.index_alias)
    with out.progress("indexing", "objects") as progress:
        summary = backfill(
            target.client("s3"), target.bucket, args.prefix, client, target.index_alias, progress, prune=args.prune
        )
    is_dataclass = dataclasses.is_dataclass(summary) and not isinstance(summary, type)
    data = dataclasses.asdict(summary) if is_dataclass else dict(vars(summary))
    facts = ", ".join(f"{k}={v}" for k, v in data.items() if not isinstance(v, list | dict))
    out.result(data, [f"backfill of s3://{target.bucket}/{args.prefix} into {target.index_alias}: {facts}"])
    return EXIT_FAILURE if int(data.get("failed", 0) or 0) else EXIT_OK


def cmd_search(args: argparse.Namespace, target: Target, out: Output) -> int:
    params: dict[str, Any] = {"q": args.query, "page": args.page, "size": args.size, "sort": args.sort}
    params.update({k: v for k, v in (("date_from", args.date_from), ("date_to", args.date_to)) if v})
    if args.source:
        params["source"] = args.source
    answer = _search_direct(target, params) if args.direct else _search_http(target, params)
    out.result(answer, render.search_results(answer))
    return EXIT_OK


def _search_http(target: Target, params: dict[str, Any]) -> dict[str, Any]:
    import requests

    target.need("api_url")
    url = f"{target.api_url}/search"
    try:
        if target.local:
            response = requests.get(url, params=params, timeout=HTTP_TIMEOUT_S)
        else:
            response = _signed_get(target, url, params)
    except requests.RequestException as error:
        hint = " (is the local stack up? `make up`)" if target.local else ""
        raise CommandFailed(f"cannot reach the search API at {target.api_url}{hint}: {error}") from error
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    message = body.get("error", {}).get("message") if isinstance(body.get("error"), dict) else None
    if response.status_code == 400:
        raise UsageError(f"the API rejected the query: {message or response.text[:200]}")
    if response.status_code != 200:
        raise CommandFailed(f"search API answered {response.status_code}: {message or response.text[:200]}")
    return body


def _signed_get(target: Target, url: str, params: dict[str, Any]) -> Any:
    """A GET signed with SigV4 for API Gateway (the template's default AuthMode is IAM)."""
    import requests
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    prepared = requests.Request("GET", url, params=params).prepare()
    request = AWSRequest(method="GET", url=prepared.url)
    SigV4Auth(target.session.get_credentials(), "execute-api", target.region).add_auth(request)
    return requests.get(str(prepared.url), headers=dict(request.headers.items()), timeout=HTTP_TIMEOUT_S)


def _search_direct(target: Target, params: dict[str, Any]) -> dict[str, Any]:
    from pydantic import ValidationError

    from docsearch.search.models import SearchRequest
    from docsearch.search.run import search

    try:
        request = SearchRequest.model_validate(params)
    except ValidationError as error:
        raise UsageError(str(error.errors()[0]["msg"])) from error
    return search(target.opensearch(), target.index_alias, request).model_dump(mode="json")


def cmd_stats(args: argparse.Namespace, target: Target, out: Output) -> int:
    client = target.opensearch()
    alias = target.index_alias
    data: dict[str, Any] = {"alias": alias, "indices": [], "documents": 0, "sources": 0, "top_sources": []}
    data.update({"index_bytes": None, "queue": None, "dlq": None})
    if client.indices.exists_alias(name=alias):
        data["indices"] = sorted(client.indices.get_alias(name=alias))
        aggs = {"sources": {"cardinality": {"field": "source"}}, "top": {"terms": {"field": "source", "size": 10}}}
        answer = client.search(index=alias, body={"size": 0, "track_total_hits": True, "aggs": aggs})
        data["documents"] = int(answer["hits"]["total"]["value"])
        data["sources"] = int(answer["aggregations"]["sources"]["value"])
        data["top_sources"] = [
            {"value": b["key"], "count": b["doc_count"]} for b in answer["aggregations"]["top"]["buckets"]
        ]
        try:
            store = client.indices.stats(index=alias, metric="store")
            data["index_bytes"] = int(store["_all"]["primaries"]["store"]["size_in_bytes"])
        except Exception:  # OpenSearch Serverless has no index stats API
            data["index_bytes"] = None
    try:
        depths = _queue_depths(target)
        data["queue"], data["dlq"] = depths.get("queue"), depths.get("dlq")
    except Exception as error:  # the queues are optional for stats: say why they are missing
        data["queue_error"] = str(error)
    size = render.human_bytes(data["index_bytes"]) if data["index_bytes"] is not None else "n/a"
    lines: list[Any] = [
        f"index      {alias} -> {', '.join(data['indices']) or '(none yet)'}",
        f"documents  {data['documents']}",
        f"sources    {data['sources']}"
        + (
            f"  (top: {', '.join(f'{s["value"]} {s["count"]}' for s in data['top_sources'][:5])})"
            if data["sources"]
            else ""
        ),
        f"index size {size}",
        f"queue      {_depth_text(data['queue'])}",
        f"DLQ        {_depth_text(data['dlq'])}"
        + ("  <- run `docsearch redrive` after fixing the cause" if _dlq_waiting(data) else ""),
    ]
    out.result(data, lines)
    return EXIT_OK


def _queue_depths(target: Target) -> dict[str, Any]:
    queue_url, dlq_url = target.queue_urls()
    sqs = target.client("sqs")
    try:
        from docsearch_cli.queues import queue_depths  # the reliability side's queue helpers
    except ImportError:
        return {name: _approximate(sqs, url) for name, url in (("queue", queue_url), ("dlq", dlq_url))}
    return dict(queue_depths(sqs, queue_url, dlq_url))


def _approximate(sqs: Any, url: str) -> dict[str, int]:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return {"visible": int(attributes[names[0]]), "in_flight": int(attributes[names[1]])}


def _depth_text(depth: Any) -> str:
    if depth is None:
        return "n/a"
    if isinstance(depth, dict):
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in depth.items())
    return str(depth)


def _dlq_waiting(data: dict[str, Any]) -> bool:
    dlq = data.get("dlq")
    if isinstance(dlq, dict):
        return any(isinstance(v, int) and v > 0 for v in dlq.values())
    return isinstance(dlq, int) and dlq > 0


def cmd_reindex(args: argparse.Namespace, target: Target, out: Output) -> int:
    from docsearch.index.backfill import bucket_filler
    from docsearch.index.reindex import ReindexError, reindex

    client = target.opensearch()
    filler = None
    if args.from_bucket:
        target.need("bucket")
        filler = bucket_filler(target.client("s3"), target.bucket, args.prefix)
    with out.progress("copying", "documents") as progress:
        try:
            summary = reindex(
                client,
                target.index_alias,
                from_bucket=filler,
                keep_old=args.keep_old,
                on_progress=progress,
                serverless=target.opensearch_service == "aoss",
                in_flight_s=args.in_flight_s,
            )
        except ReindexError as error:
            raise CommandFailed(str(error)) from error
    data = dataclasses.asdict(summary)
    old = ", ".join(summary.old_indices) or "(none)"
    lines: list[Any] = [
        f"{summary.alias}: {old} -> {summary.new_index} ({summary.documents} documents, {summary.seconds}s)",
        f"  copied {summary.copied} from the {summary.source}"
        + (f", left {summary.kept_newer} newer live writes alone" if summary.kept_newer else ""),
        "  old index removed"
        if summary.removed_old
        else "  old index kept (--keep-old)"
        if summary.old_indices
        else "",
    ]
    out.result(data, [line for line in lines if line])
    return EXIT_OK


def cmd_redrive(args: argparse.Namespace, target: Target, out: Output) -> int:
    from docsearch_cli.queues import redrive  # the reliability side's queue helpers

    queue_url, dlq_url = target.queue_urls()
    moved = redrive(target.client("sqs"), dlq_url, queue_url)
    out.result(
        {"moved": moved, "from": dlq_url, "to": queue_url}, [f"moved {moved} messages from the DLQ back to the queue"]
    )
    return EXIT_OK


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docsearch",
        description="Upload, index and search Indonesian news articles, locally (default) or on AWS.",
        epilog="Exit codes: 0 ok, 1 failure, 2 usage. `docsearch COMMAND --help` for each command.",
    )
    parser.add_argument("--version", action="version", version=f"docsearch {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, run: Callable[..., int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
        add_target_options(sub)
        sub.set_defaults(run=run)
        return sub

    upload = command(
        "upload", "upload files or folders to the article bucket (they are indexed within seconds)", cmd_upload
    )
    upload.add_argument("paths", nargs="+", metavar="PATH", help="a file, or a folder (uploaded with its subfolders)")
    upload.add_argument("--prefix", default="", help="key prefix in the bucket, e.g. berita/2024")

    backfill = command(
        "backfill", "index what is already in the bucket (e.g. uploaded before the stack existed)", cmd_backfill
    )
    backfill.add_argument("--prefix", default="", help="only keys under this prefix")
    backfill.add_argument(
        "--prune", action="store_true", help="also remove from the index the keys that are gone from the bucket"
    )

    search = command("search", "search the articles and show ranked results with highlighted snippets", cmd_search)
    search.add_argument("query", help='the query, e.g. "pakta pertahanan" or \'"kapal selam" -Ukraina\'')
    search.add_argument("--page", type=_bounded(1, 10_000), default=1, help="1-based page (default 1)")
    search.add_argument("--size", type=_bounded(1, 50), default=10, help="results per page, 1-50 (default 10)")
    search.add_argument("--source", action="append", help="only this source (site); may repeat")
    search.add_argument("--date-from", type=_iso_date, help="published on or after YYYY-MM-DD")
    search.add_argument("--date-to", type=_iso_date, help="published on or before YYYY-MM-DD")
    search.add_argument("--sort", choices=["relevance", "newest", "oldest"], default="relevance")
    search.add_argument("--direct", action="store_true", help="query OpenSearch directly instead of the HTTP API")

    command("stats", "documents, sources, index size and queue/DLQ depth", cmd_stats)

    reindex = command(
        "reindex", "rebuild the index into a new version and swap the alias (searches keep working)", cmd_reindex
    )
    reindex.add_argument(
        "--from-bucket", action="store_true", help="fill the new index from the bucket, not the old index"
    )
    reindex.add_argument("--prefix", default="", help="with --from-bucket: only keys under this prefix")
    reindex.add_argument(
        "--keep-old", action="store_true", help="keep the old index (default: delete it after the swap)"
    )
    reindex.add_argument(
        "--in-flight-s",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="copying from the index: wait this long first for ingest batches already running to finish"
        " (default 60, the ingest function's timeout; 0 when nothing is ingesting)",
    )

    command("redrive", "move messages from the dead-letter queue back to the ingest queue", cmd_redrive)
    return parser


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def _iso_date(text: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def quiet_library_logs() -> None:
    """The library logs JSON lines for CloudWatch; here only its warnings matter, and on stderr (stdout is ours)."""
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    from docsearch.observability import logger

    handler = logger.registered_handler
    if isinstance(handler, logging.StreamHandler):
        handler.stream = sys.stderr  # not setStream(): it flushes the old stream, which may be closed


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # exits 2 on bad usage, 0 for --help
    out = Output(args.json)
    quiet_library_logs()
    started = time.monotonic()
    try:
        target = resolve(args)
        return int(args.run(args, target, out))
    except (UsageError, TargetError) as error:
        return _fail(out, EXIT_USAGE, "usage", str(error))
    except ImportError as error:
        return _fail(out, EXIT_FAILURE, "unavailable", f"this build lacks a part the command needs: {error}")
    except KeyboardInterrupt:
        return _fail(out, 130, "interrupted", f"interrupted after {time.monotonic() - started:.1f}s")
    except Exception as error:  # anything unreachable or refused: one clear line, no stack trace
        return _fail(out, EXIT_FAILURE, "failed", _describe(error))


def _describe(error: Exception) -> str:
    from docsearch.engine import EngineUnavailable

    if isinstance(error, CommandFailed | EngineUnavailable):
        return str(error)
    name = type(error).__name__
    if "Connection" in name or "EndpointConnection" in name:
        return f"cannot connect ({name}): {error}. Is the stack up (`make up`), or are the endpoints right?"
    return f"{name}: {error}"


def _fail(out: Output, code: int, kind: str, message: str) -> int:
    if out.json:
        render.print_json({"error": {"code": kind, "message": message}})
    out.err.print(f"docsearch: {message}", style="red")
    return code


if __name__ == "__main__":
    sys.exit(main())
