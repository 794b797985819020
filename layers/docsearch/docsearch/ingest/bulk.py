"""Writing a batch of index/delete actions to the engine in one ``_bulk`` request.

Items the engine pushes back (HTTP 429, ``es_rejected_execution_exception``,
timeouts, a shard briefly unavailable) and whole-request failures (engine
unreachable, timed out, 429/502/503/504) are retried, only those items, with
exponential backoff and full jitter, for as long as the time budget allows: the
caller passes a deadline (on Lambda, from the context's remaining time). Whatever
is still failing when the attempts or the budget run out is reported failed: an
item is ``ok`` only if the engine said so.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import TransportError
from opensearchpy.helpers.actions import expand_action

from docsearch.errors import RETRYABLE_STATUSES

MAX_ATTEMPTS = 5
# One request stays under the smallest request size the engine takes: OpenSearch's http.max_content_length
# is 100 MB, but Amazon OpenSearch Service takes 10 MiB on its small instance types (t3.small, the
# template's default). A single document bigger than the engine takes is refused with 413 (see _send).
MAX_REQUEST_BYTES = 9 * 1024 * 1024
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
# Time kept free at the end of the budget for the handler to report its batch result.
SAFETY_MARGIN_S = 2.0
# A request is not worth sending with less time than this left.
MIN_REQUEST_S = 1.0
# Budget when nobody set one (outside Lambda, e.g. a script).
DEFAULT_BUDGET_S = 30.0
CONFLICT = 409
TOO_LARGE = 413  # the whole request: bigger than the engine's request size limit
RETRYABLE_ERROR_TYPES = frozenset(
    {
        "es_rejected_execution_exception",
        "opensearch_rejected_execution_exception",
        "rejected_execution_exception",
        "circuit_breaking_exception",
        "process_cluster_event_timeout_exception",
        "unavailable_shards_exception",
        "timeout_exception",
        "receive_timeout_transport_exception",
        "cluster_block_exception",
    }
)


@dataclass(frozen=True)
class ItemResult:
    op_type: str
    doc_id: str
    ok: bool
    error: str = ""
    attempts: int = 1
    status: int = 0  # the engine's status for the item (0 when the whole request failed)


def deadline_after(remaining_ms: int, margin_s: float = SAFETY_MARGIN_S) -> float:
    """The instant bulk writes stop retrying: ``margin_s`` before ``remaining_ms`` runs out.

    On Lambda: ``deadline_after(context.get_remaining_time_in_millis())``.
    """
    return time.monotonic() + remaining_ms / 1000 - margin_s


def write_bulk(
    client: OpenSearch,
    ops: list[dict[str, Any]],
    deadline: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ItemResult]:
    """Send ``ops`` (opensearch-py bulk actions); return one result per op, in order.

    ``deadline`` is a ``time.monotonic()`` instant (see :func:`deadline_after`); without it,
    ``DEFAULT_BUDGET_S`` from now. A delete of a document that is not there counts as done.
    Never raises for engine errors: a failed item's result says why and after how many attempts.
    """
    if not ops:
        return []
    if deadline is None:
        deadline = time.monotonic() + DEFAULT_BUDGET_S
    lines = [_serialize(op) for op in ops]
    results: list[ItemResult | None] = [None] * len(ops)
    last_error: dict[int, str] = {}
    pending = list(range(len(ops)))
    attempt = 0
    while pending:
        attempt += 1
        pending = [
            i
            for chunk in _by_size(pending, lines)
            for i in _send(client, ops, lines, chunk, deadline, results, last_error, attempt)
        ]
        if not pending:
            break
        delay = random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt))  # noqa: S311 (jitter)
        if attempt >= MAX_ATTEMPTS or time.monotonic() + delay + MIN_REQUEST_S > deadline:
            break
        sleep(delay)
    for i in pending:  # out of attempts or time: failed, never success
        op_type, doc_id = _op_identity(ops[i])
        error = f"{op_type}: gave up after {attempt} attempt(s): {last_error.get(i, 'unknown error')}"
        results[i] = ItemResult(op_type, doc_id, False, error, attempt)
    return [r for r in results if r is not None]


def _by_size(indices: list[int], lines: list[str]) -> Iterator[list[int]]:
    """Split into requests of at most MAX_REQUEST_BYTES (a batch of ten 5 MB articles is not one 50 MB request)."""
    chunk: list[int] = []
    size = 0
    for i in indices:
        length = len(lines[i].encode())
        if chunk and size + length > MAX_REQUEST_BYTES:
            yield chunk
            chunk, size = [], 0
        chunk.append(i)
        size += length
    if chunk:
        yield chunk


def _serialize(op: dict[str, Any]) -> str:
    op = dict(op)
    require_alias = op.pop("require_alias", None)
    action, data = expand_action(op)
    if require_alias is not None:  # opensearch-py's helper does not know this action field
        next(iter(action.values()))["require_alias"] = require_alias
    lines = [json.dumps(action, ensure_ascii=False, separators=(",", ":"))]
    if data is not None:
        lines.append(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n"


def _op_identity(op: dict[str, Any]) -> tuple[str, str]:
    return str(op.get("_op_type", "index")), str(op.get("_id", ""))


def _send(
    client: OpenSearch,
    ops: list[dict[str, Any]],
    lines: list[str],
    indices: list[int],
    deadline: float,
    results: list[ItemResult | None],
    last_error: dict[int, str],
    attempt: int,
) -> list[int]:
    """One ``_bulk`` request for ``indices``; fill ``results`` for settled items, return those to retry."""
    timeout = max(MIN_REQUEST_S, deadline - time.monotonic())
    try:
        response = client.bulk(body="".join(lines[i] for i in indices), request_timeout=timeout)
    except (EngineConnectionError, TransportError) as error:  # ConnectionTimeout is a ConnectionError
        status = error.status_code if isinstance(error.status_code, int) else None
        if status == TOO_LARGE and len(indices) > 1:  # the engine's limit is below ours: one item a request
            return [j for i in indices for j in _send(client, ops, lines, [i], deadline, results, last_error, attempt)]
        return _request_failed(error, status, ops, indices, results, last_error, attempt)
    retry = [
        i
        for i, item in zip(indices, response.get("items", []), strict=False)
        if not _settle_item(i, item, results, last_error, attempt)
    ]
    answered = len(response.get("items", []))
    if answered < len(indices):  # a malformed answer: whatever it left out is not done
        for i in indices[answered:]:
            last_error[i] = "missing from bulk response"
            retry.append(i)
    return retry


def _request_failed(
    error: Exception,
    status: int | None,
    ops: list[dict[str, Any]],
    indices: list[int],
    results: list[ItemResult | None],
    last_error: dict[int, str],
    attempt: int,
) -> list[int]:
    """The whole request failed: its items to retry (a transient failure), or none (each one's result filled)."""
    reason = f"request failed: {type(error).__name__} {status or ''}".strip()
    for i in indices:
        last_error[i] = reason
    if status == TOO_LARGE:  # one document bigger than the engine takes: permanent, for that document
        results[indices[0]] = ItemResult(*_op_identity(ops[indices[0]]), False, reason, attempt, TOO_LARGE)
        return []
    if isinstance(error, EngineConnectionError) or status in RETRYABLE_STATUSES:
        return indices
    for i in indices:
        results[i] = ItemResult(*_op_identity(ops[i]), False, reason, attempt)
    return []


def _settle_item(
    i: int, item: dict[str, Any], results: list[ItemResult | None], last_error: dict[int, str], attempt: int
) -> bool:
    """Record the engine's answer for item ``i``: True if it is settled (done, or failed for good), False to retry."""
    op_type, result = next(iter(item.items()))
    status = int(result.get("status", 0))
    doc_id = str(result.get("_id", ""))
    if 200 <= status < 300 or (op_type == "delete" and status == 404):
        results[i] = ItemResult(op_type, doc_id, True, "", attempt, status)
        return True
    engine_error = result.get("error")
    error_type = engine_error.get("type", "") if isinstance(engine_error, dict) else str(engine_error or "")
    last_error[i] = f"{status} {error_type}".strip()
    if status in RETRYABLE_STATUSES or error_type in RETRYABLE_ERROR_TYPES:
        return False
    results[i] = ItemResult(op_type, doc_id, False, f"{op_type}: {status} {error_type}", attempt, status)
    return True
