"""`docsearch`: the command line of the Indonesian news search.

Exit codes: 0 done, 1 failed (something unreachable, a part of the work failed, a smoke test step
that did not happen), 2 usage (bad options, a path that does not exist, a query the API rejects,
a stack without the outputs a command needs).
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
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
                self.out.print(render.safe_line(line))

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
    metadata = _upload_metadata(args)
    target.need("bucket")
    s3 = target.client("s3")
    uploaded, failed = [], []
    with out.progress("uploading", "files") as progress:
        for done, item in enumerate(items, 1):
            try:
                with item.path.open("rb") as body:
                    s3.put_object(
                        Bucket=target.bucket, Key=item.key, Body=body, ContentType=item.content_type, Metadata=metadata
                    )
                uploaded.append(item.key)
            except Exception as error:  # one bad file must not stop the rest
                failed.append({"key": item.key, "error": str(error)})
            progress(done, len(items))
    data: dict[str, Any] = {"bucket": target.bucket, "uploaded": uploaded, "failed": failed}
    lines: list[Any] = [f"uploaded {len(uploaded)} of {len(items)} files to s3://{target.bucket}/"]
    lines += [f"  failed: {f['key']}: {f['error']}" for f in failed]
    waited_ok = True
    if uploaded and not args.no_wait:
        sent = [item for item in items if item.key in set(uploaded)]
        try:
            outcomes = _wait_for_ingest(target, out, sent, args.wait_timeout)
        except Exception as error:  # e.g. on AWS without engine access: the upload itself is done
            raise CommandFailed(
                f"uploaded {len(uploaded)} files, but cannot read the index to report what became of them"
                f" ({_describe(error)}); pass --no-wait, or give your role engine access"
                " (EngineAdminArn, docs/deploy.md)"
            ) from error
        data["outcomes"] = outcomes
        lines += [_outcome_line(o) for o in outcomes]
        counts = {state: sum(o["state"] == state for o in outcomes) for state in ("indexed", "skipped")}
        other = len(outcomes) - sum(counts.values())
        lines.append(f"indexed {counts['indexed']}, skipped {counts['skipped']}, not indexed {other}")
        waited_ok = counts["indexed"] == len(outcomes)
    out.result(data, lines)
    return EXIT_FAILURE if failed or not waited_ok else EXIT_OK


def _upload_metadata(args: argparse.Namespace) -> dict[str, str]:
    """S3 object metadata from ``--source`` and ``--date`` (``x-amz-meta-source``, ``x-amz-meta-published-at``):
    for files that name no outlet or date of their own; ingest takes them over what a file says."""
    metadata = {name: value for name, value in (("source", args.source), ("published-at", args.date)) if value}
    for name, value in metadata.items():
        if not value.isascii() or len(value) > MAX_METADATA_CHARS:
            flag = "--date" if name == "published-at" else f"--{name}"
            raise UsageError(f"{flag}: ASCII only, at most {MAX_METADATA_CHARS} characters")
    return metadata


# S3 user metadata travels in HTTP headers: ASCII only, 2 KB in all; an outlet's name is far shorter.
MAX_METADATA_CHARS = 100
WAIT_POLL_S = 0.5
DLQ_CHECK_EVERY_S = 5.0


def _wait_for_ingest(target: Target, out: Output, items: list[Any], timeout_s: float) -> list[dict[str, Any]]:
    """Poll the index until each uploaded file's own version is indexed or skipped (or dead-lettered, or time is up)."""
    import hashlib

    from docsearch.ingest.status import key_statuses

    client = target.opensearch()
    expected = {item.key: (hashlib.sha256(item.path.read_bytes()).hexdigest(), item.size) for item in items}
    settled: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout_s
    next_dlq_check = time.monotonic() + DLQ_CHECK_EVERY_S
    with out.progress("indexing", "files") as progress:
        while len(settled) < len(items):
            pending = [key for key in expected if key not in settled]
            for key, status in key_statuses(client, target.index_alias, target.bucket, pending).items():
                if status.state in ("indexed", "skipped") and status.describes(*expected[key]):
                    settled[key] = _outcome(status)
            progress(len(settled), len(items))
            now = time.monotonic()
            if len(settled) == len(items) or now >= deadline or now >= next_dlq_check:
                dead = _dead_lettered(target, pending)
                settled.update({key: {"key": key, "state": "dead_lettered"} for key in dead if key not in settled})
                next_dlq_check = now + DLQ_CHECK_EVERY_S
            if now >= deadline:
                break
            if len(settled) < len(items):
                time.sleep(WAIT_POLL_S)
    waiting = {"state": "waiting", "detail": f"not indexed within {timeout_s:g}s: `docsearch status KEY` later"}
    return [settled.get(item.key, {"key": item.key, **waiting}) for item in items]


def _dead_lettered(target: Target, keys: list[str]) -> set[str]:
    from docsearch_cli.queues import dead_lettered_keys

    try:
        _, dlq_url = target.queue_urls()
        found = dead_lettered_keys(target.client("sqs"), dlq_url)
    except Exception:  # the DLQ is a hint here; the index is the record
        return set()
    return {key for bucket, key in found if bucket == target.bucket and key in keys}


def _outcome(status: Any) -> dict[str, Any]:
    outcome: dict[str, Any] = {"key": status.key, "state": status.state, "id": status.id, "when": status.when}
    if status.state == "skipped":
        outcome.update(reason=status.reason, detail=status.detail)
    return outcome


def _outcome_line(outcome: dict[str, Any]) -> str:
    state, key = outcome["state"], outcome["key"]
    if state == "indexed":
        return f"  indexed   {key}"
    if state == "skipped":
        return f"  skipped   {key}: {outcome.get('reason')} ({outcome.get('detail')})"
    if state == "dead_lettered":
        return f"  failed    {key}: in the dead-letter queue (see `docsearch stats`, then `docsearch redrive`)"
    return f"  waiting   {key}: {outcome.get('detail', '')}"


def cmd_status(args: argparse.Namespace, target: Target, out: Output) -> int:
    """What became of each key: indexed, deleted, skipped (why), waiting in the queue, or dead-lettered."""
    from docsearch.ingest.status import key_statuses

    target.need("bucket")
    statuses = key_statuses(target.opensearch(), target.index_alias, target.bucket, list(args.keys))
    unknown = [key for key, status in statuses.items() if status.state == "unknown"]
    dead = _dead_lettered(target, unknown) if unknown else set()
    s3 = target.client("s3")
    reports = []
    for key in args.keys:
        status = statuses[key]
        report: dict[str, Any] = {"key": key, "state": status.state, "id": status.id, "when": status.when}
        if status.state == "skipped":
            report.update(reason=status.reason, detail=status.detail)
        elif status.state == "indexed":
            report["title"] = status.title
        elif key in dead:
            report["state"] = "dead_lettered"
        elif status.state == "unknown":
            report["state"] = "waiting" if _in_bucket(s3, target.bucket, key) else "not_in_bucket"
        reports.append(report)
    out.result({"keys": reports}, [_status_line(r) for r in reports])
    bad = {"skipped", "dead_lettered", "not_in_bucket"}
    return EXIT_FAILURE if any(r["state"] in bad for r in reports) else EXIT_OK


def _in_bucket(s3: Any, bucket: str, key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return True


def _status_line(report: dict[str, Any]) -> str:
    state, key = report["state"], report["key"]
    text = {
        "indexed": f"indexed at {report.get('when')} as {report.get('id')}: {report.get('title') or ''}",
        "deleted": f"deleted at {report.get('when')}",
        "skipped": f"skipped at {report.get('when')}: {report.get('reason')} ({report.get('detail')})",
        "dead_lettered": "in the dead-letter queue: fix the cause, then `docsearch redrive`",
        "waiting": "in the bucket, not indexed yet (waiting in the queue)",
        "not_in_bucket": "not in the bucket and not in the index",
    }[state]
    return f"{key}: {text}"


def cmd_backfill(args: argparse.Namespace, target: Target, out: Output) -> int:
    if args.vectors:
        return _backfill_vectors(target, out)
    from docsearch.index.definition import ensure_index
    from docsearch.ingest.backfill import backfill  # the ingest path, for what is already in the bucket
    from docsearch.ingest.extract import ReadOptions

    target.need("bucket")
    client = target.opensearch()
    ensure_index(client, target.index_alias, target.index_replicas)
    with out.progress("indexing", "objects") as progress:
        summary = backfill(
            target.client("s3"),
            target.bucket,
            args.prefix,
            client,
            target.index_alias,
            progress,
            prune=args.prune,
            options=ReadOptions.from_settings(target.settings()),
        )
    data = dataclasses.asdict(summary)
    facts = ", ".join(f"{k}={v}" for k, v in data.items() if not isinstance(v, list | dict))
    out.result(data, [f"backfill of s3://{target.bucket}/{args.prefix} into {target.index_alias}: {facts}"])
    return EXIT_FAILURE if summary.failed else EXIT_OK


def _backfill_vectors(target: Target, out: Output) -> int:
    from docsearch.embed import embedder_from_env
    from docsearch.engine import refuse_on_serverless
    from docsearch.index.vectors import fill_vectors

    # A Serverless search collection's index has no vector field (index/definition.py): hybrid search is lexical there.
    refuse_on_serverless(target.opensearch(), "backfill --vectors", "a search collection has no vector field")
    embedder = embedder_from_env()
    if embedder is None:
        raise UsageError("EMBEDDING_MODEL is none: there is no model to make vectors with")
    with out.progress("embedding", "documents") as progress:
        summary = fill_vectors(target.opensearch(), target.index_alias, embedder, progress)
    data = dataclasses.asdict(summary)
    line = f"vectors for {target.index_alias} ({embedder.name}): embedded={summary.embedded}, failed={summary.failed}"
    out.result(data, [line])
    return EXIT_FAILURE if summary.failed else EXIT_OK


def cmd_search(args: argparse.Namespace, target: Target, out: Output) -> int:
    params: dict[str, Any] = {"q": args.query, "page": args.page, "size": args.size, "sort": args.sort}
    if args.mode:
        params["mode"] = args.mode
    dates = (("date_from", args.date_from), ("date_to", args.date_to), ("undated", args.undated))
    params.update({k: v for k, v in dates if v})
    if args.source:
        params["source"] = args.source
    if args.story:
        params.update(story=args.story, group="false")
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

    from docsearch.embed import embedder_from_env
    from docsearch.search.models import SearchRequest
    from docsearch.search.run import search

    try:
        request = SearchRequest.model_validate(params)
    except ValidationError as error:
        raise UsageError(str(error.errors()[0]["msg"])) from error
    view_url = target.settings().document_view_url
    aliases = _newsroom_aliases(target)
    answer = search(
        target.search_client(), target.index_alias, request, view_url, aliases=aliases, embedder=embedder_from_env()
    )
    return answer.model_dump(mode="json")


def _newsroom_aliases(target: Target) -> Any:
    """The bucket's alias list, as the search function applies it (none when there is no bucket to read)."""
    from docsearch.search.aliases import NO_ALIASES, parse_aliases
    from docsearch_cli.aliases import read_list

    if not target.bucket:
        return NO_ALIASES
    return parse_aliases(read_list(target.client("s3"), target.bucket))[0]


def cmd_aliases(args: argparse.Namespace, target: Target, out: Output) -> int:
    from docsearch.search.aliases import AliasError
    from docsearch_cli import aliases

    target.need("bucket")
    s3 = target.client("s3")
    text = aliases.read_list(s3, target.bucket)
    if args.action == "list":
        lines = aliases.rules(text)
        out.result({"aliases": lines}, lines or ["no aliases yet: docsearch aliases add 'KDM, Dedi Mulyadi'"])
        return EXIT_OK
    if not args.alias:
        example = "'KDM, Dedi Mulyadi'" if args.action == "add" else "KDM"
        raise UsageError(f"aliases {args.action} needs an alias, e.g. {example}")
    if args.action == "add":
        try:
            text, changed = aliases.added(text, args.alias)
        except AliasError as error:
            raise UsageError(str(error)) from error
        if changed:
            aliases.write_list(s3, target.bucket, text)
        message = "added" if changed else "already there"
        out.result({"added": changed, "alias": args.alias}, [f"{message}: {args.alias} (live within a minute)"])
        return EXIT_OK
    text, gone = aliases.removed(text, args.alias)
    if gone:
        aliases.write_list(s3, target.bucket, text)
    out.result({"removed": gone}, [f"removed: {line}" for line in gone] or [f"no alias line holds {args.alias!r}"])
    return EXIT_OK if gone else EXIT_FAILURE


def cmd_smoke(args: argparse.Namespace, target: Target, out: Output) -> int:
    from docsearch_cli import smoke

    target.need("bucket", "api_url")
    try:
        result = smoke.run(
            target.client("s3"), target.bucket, lambda path, params: _api_get(target, path, params), args.timeout
        )
    except smoke.SmokeFailed as error:
        raise CommandFailed(f"smoke test failed: {error}") from error
    lines = [f"{step:<10} {seconds:>7.2f}s  {detail}" for step, seconds, detail in result.steps]
    out.result(result.as_dict(), [*lines, "smoke test passed"])
    return EXIT_OK


def _api_get(target: Target, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """GET on the search API as `docsearch search` sends it (SigV4-signed on AWS): (status, JSON body)."""
    import requests

    url = f"{target.api_url}{path}"
    try:
        response = (
            requests.get(url, params=params, timeout=HTTP_TIMEOUT_S)
            if target.local
            else _signed_get(target, url, params)
        )
    except requests.RequestException as error:
        raise CommandFailed(f"cannot reach the search API at {target.api_url}: {error}") from error
    try:
        body = response.json()
    except ValueError:
        body = {"error": {"message": response.text[:200]}}
    return response.status_code, body if isinstance(body, dict) else {}


def cmd_stats(args: argparse.Namespace, target: Target, out: Output) -> int:
    from docsearch.index.stats import index_stats
    from docsearch_cli.queues import queue_depths

    data: dict[str, Any] = dataclasses.asdict(index_stats(target.opensearch(), target.index_alias))
    data.update({"queue": None, "dlq": None})
    try:
        queue_url, dlq_url = target.queue_urls()
        data.update(queue_depths(target.client("sqs"), queue_url, dlq_url))
    except Exception as error:  # the queues are optional for stats: say why they are missing
        data["queue_error"] = str(error)
    size = render.human_bytes(data["index_bytes"]) if data["index_bytes"] is not None else "n/a"
    top = ", ".join(f"{s['value']} {s['count']}" for s in data["top_sources"][:5])
    dlq_waiting = bool(data["dlq"] and any(data["dlq"].values()))
    lines: list[Any] = [
        f"index      {data['alias']} -> {', '.join(data['indices']) or '(none yet)'}",
        f"documents  {data['documents']}",
        f"sources    {data['sources']}" + (f"  (top: {top})" if data["sources"] else ""),
        f"index size {size}",
        f"queue      {_depth_text(data['queue'])}",
        f"DLQ        {_depth_text(data['dlq'])}"
        + ("  <- run `docsearch redrive` after fixing the cause" if dlq_waiting else ""),
    ]
    out.result(data, lines)
    return EXIT_OK


def _depth_text(depth: dict[str, int] | None) -> str:
    if depth is None:
        return "n/a"
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in depth.items())


def cmd_reindex(args: argparse.Namespace, target: Target, out: Output) -> int:
    from docsearch.index.reindex import ReindexError, reindex
    from docsearch.ingest.backfill import bucket_filler
    from docsearch.ingest.extract import ReadOptions

    client = target.opensearch()
    filler = None
    if args.prefix and not args.from_bucket:
        raise UsageError("--prefix applies to --from-bucket only (a copy from the index copies all of it)")
    if args.from_bucket:
        target.need("bucket")
        filler = bucket_filler(
            target.client("s3"),
            target.bucket,
            args.prefix,
            serverless=target.opensearch_service == "aoss",
            options=ReadOptions.from_settings(target.settings()),
        )
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
                prefix=args.prefix if args.from_bucket else "",
                allow_shrink=args.allow_shrink,
            )
        except ReindexError as error:
            raise CommandFailed(str(error)) from error
    data = dataclasses.asdict(summary)
    old = ", ".join(summary.old_indices) or "(none)"
    lines: list[Any] = [
        f"{summary.alias}: {old} -> {summary.new_index} ({summary.documents} documents, {summary.seconds}s)",
        f"  copied {summary.copied} from the {summary.source}"
        + (f", left {summary.kept_newer} newer live writes alone" if summary.kept_newer else ""),
        f"  kept {summary.kept_outside} documents outside {args.prefix!r} (copied from the live index)"
        if args.prefix
        else "",
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
    upload.add_argument("--no-wait", action="store_true", help="don't wait to report what indexing made of each file")
    upload.add_argument(
        "--wait-timeout", type=_bounded(1, 3600), default=120, help="seconds to wait for indexing (default 120)"
    )
    upload.add_argument("--source", help="the files' outlet, e.g. detikNews (S3 metadata: wins over what a file says)")
    upload.add_argument("--date", type=_iso_date, help="the files' publication date, YYYY-MM-DD (S3 metadata too)")

    status = command("status", "what became of uploaded keys: indexed, deleted, skipped (why), queued", cmd_status)
    status.add_argument("keys", nargs="+", metavar="KEY", help="an object key in the bucket")

    backfill = command(
        "backfill", "index what is already in the bucket (e.g. uploaded before the stack existed)", cmd_backfill
    )
    backfill.add_argument("--prefix", default="", help="only keys under this prefix")
    backfill.add_argument(
        "--prune", action="store_true", help="also remove from the index the keys that are gone from the bucket"
    )
    backfill.add_argument(
        "--vectors",
        action="store_true",
        help="instead: add the hybrid search vector to indexed documents that lack it (read from the index)",
    )

    search = command("search", "search the articles and show ranked results with highlighted snippets", cmd_search)
    search.add_argument("query", help='the query, e.g. "pakta pertahanan" or \'"kapal selam" -Ukraina\'')
    search.add_argument("--page", type=_bounded(1, 10_000), default=1, help="1-based page (default 1)")
    search.add_argument("--size", type=_bounded(1, 50), default=10, help="results per page, 1-50 (default 10)")
    search.add_argument("--source", action="append", help="only this source (site); may repeat")
    search.add_argument("--date-from", type=_iso_date, help="published on or after YYYY-MM-DD")
    search.add_argument("--date-to", type=_iso_date, help="published on or before YYYY-MM-DD")
    search.add_argument(
        "--undated",
        choices=["include", "exclude"],
        help="articles without a known date (default: left out by a date filter, else kept)",
    )
    search.add_argument("--sort", choices=["relevance", "newest", "oldest"], default="relevance")
    search.add_argument(
        "--mode",
        choices=["lexical", "hybrid"],
        help="lexical (the words) or hybrid (words and meaning); default: the API's",
    )
    search.add_argument("--story", help="only the copies of this story (a grouped result's story id)")
    search.add_argument("--direct", action="store_true", help="query OpenSearch directly instead of the HTTP API")

    command("stats", "documents, sources, index size and queue/DLQ depth", cmd_stats)

    aliases = command(
        "aliases", "the newsroom's aliases (KDM = Dedi Mulyadi), applied at search time without a reindex", cmd_aliases
    )
    aliases.add_argument("action", choices=["list", "add", "remove"])
    aliases.add_argument(
        "alias",
        nargs="?",
        help="add: 'KDM, Dedi Mulyadi' or 'Wamenaker => wakil menteri ketenagakerjaan'; remove: a term",
    )

    reindex = command(
        "reindex", "rebuild the index into a new version and swap the alias (searches keep working)", cmd_reindex
    )
    reindex.add_argument(
        "--from-bucket", action="store_true", help="fill the new index from the bucket, not the old index"
    )
    reindex.add_argument(
        "--prefix",
        default="",
        help="with --from-bucket: rebuild only keys under this prefix from the bucket (the rest is copied"
        " from the live index)",
    )
    reindex.add_argument(
        "--allow-shrink",
        action="store_true",
        help="swap even if the new index would hold more than 10%% fewer live documents than the live one",
    )
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

    smoke = command(
        "smoke",
        "after a deploy: upload a probe article, find it through the HTTP API, open it, delete it, see it gone",
        cmd_smoke,
    )
    smoke.add_argument(
        "--timeout", type=_bounded(5, 1800), default=300, help="seconds to wait at each step (default 300)"
    )
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


def parse_args(argv: list[str]) -> argparse.Namespace:
    """argparse, plus "did you mean …?" for a mistyped command or option (what click and typer users get).

    Exits 2 on bad usage, 0 for --help, as argparse does.
    """
    parser = build_parser()
    commands: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:  # argparse has no public accessor for its subcommands
        if isinstance(action, argparse._SubParsersAction):
            commands = dict(action.choices)
    words = [word for word in argv if not word.startswith("-")]
    if words and words[0] not in commands and not {"-h", "--help", "--version"} & set(argv):
        parser.error(_unknown("command", words[0], list(commands)))
    args, extras = parser.parse_known_args(argv)
    if extras:
        command = commands[args.command]
        options = [option for action in command._actions for option in action.option_strings]
        unknown = next((word for word in extras if word.startswith("-")), None)
        if unknown is None:
            command.error(f"unrecognized arguments: {' '.join(extras)}")
        command.error(_unknown("option", unknown.split("=", 1)[0], options))
    return args


def _unknown(kind: str, word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if close:
        hint = f"; did you mean {close[0]!r}?"
    else:
        hint = f" (choose from {', '.join(sorted(known))})" if kind == "command" else " (see --help)"
    return f"unknown {kind} {word!r}{hint}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    out = Output(args.json)
    started = time.monotonic()
    try:
        target = resolve(args)
        return int(args.run(args, target, out))
    except (UsageError, TargetError) as error:
        return _fail(out, EXIT_USAGE, "usage", str(error))
    except BrokenPipeError:  # `docsearch stats --json | head`: the reader left, nothing more to say
        return _reader_gone()
    except KeyboardInterrupt:
        return _fail(out, 130, "interrupted", f"interrupted after {time.monotonic() - started:.1f}s")
    except Exception as error:  # anything unreachable or refused: one clear line, no stack trace
        return _fail(out, EXIT_FAILURE, "failed", _describe(error))


def _describe(error: Exception) -> str:
    from botocore.exceptions import EndpointConnectionError

    from docsearch.errors import DocsearchError, EngineUnavailable

    if isinstance(error, EngineUnavailable | EndpointConnectionError):
        return f"cannot connect: {error}. Is the stack up (`make up`), or are the endpoints right?"
    if isinstance(error, CommandFailed | DocsearchError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _reader_gone() -> int:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again (Python's own advice)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_FAILURE


def _fail(out: Output, code: int, kind: str, message: str) -> int:
    if out.json:
        render.print_json({"error": {"code": kind, "message": message}})
    out.err.print(f"docsearch: {render.safe(message)}", style="red")
    return code


if __name__ == "__main__":
    sys.exit(main())
