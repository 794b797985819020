"""Bulk writes under engine pushback: per-item retries, backoff with jitter, a deadline, no false success."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import ConnectionTimeout, TransportError

from docsearch.ingest import bulk
from docsearch.ingest.bulk import deadline_after, write_bulk

REJECTED = {"type": "es_rejected_execution_exception", "reason": "rejected execution of coordinating operation"}
MAPPING = {"type": "mapper_parsing_exception", "reason": "failed to parse field [published_at]"}


def ops(n: int) -> list[dict[str, Any]]:
    return [{"_op_type": "index", "_index": "idx", "_id": f"d{i}", "_source": {"title": f"t{i}"}} for i in range(n)]


def item(doc_id: str, status: int, error: dict[str, str] | None = None, op: str = "index") -> dict[str, Any]:
    result: dict[str, Any] = {"_id": doc_id, "status": status}
    if error:
        result["error"] = error
    return {op: result}


class ScriptedEngine:
    """Answers each ``bulk`` call from a script: a callable (ids sent -> items) or an exception."""

    def __init__(self, *script: Any) -> None:
        self.script = list(script)
        self.sent: list[list[str]] = []
        self.timeouts: list[float] = []

    def bulk(self, body: str, request_timeout: float) -> dict[str, Any]:
        lines = [json.loads(line) for line in body.splitlines()]
        ids = [next(iter(line.values()))["_id"] for line in lines if set(line) & {"index", "delete"}]
        self.sent.append(ids)
        self.timeouts.append(request_timeout)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return {"errors": True, "items": step(ids)}


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_only_rejected_items_are_retried_until_they_succeed() -> None:
    engine = ScriptedEngine(
        lambda ids: [item(i, 429, REJECTED) if i in {"d1", "d3"} else item(i, 201) for i in ids],
        lambda ids: [item(i, 201) for i in ids],
    )
    sleeps = Sleeps()
    results = write_bulk(engine, ops(4), deadline=time.monotonic() + 30, sleep=sleeps)  # type: ignore[arg-type]
    assert engine.sent == [["d0", "d1", "d2", "d3"], ["d1", "d3"]]
    assert [r.ok for r in results] == [True] * 4
    assert [r.doc_id for r in results] == ["d0", "d1", "d2", "d3"]
    assert [r.attempts for r in results] == [1, 2, 1, 2]
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= bulk.BACKOFF_BASE_S * 2


def test_rejection_by_error_type_alone_is_retried() -> None:
    engine = ScriptedEngine(
        lambda ids: [item(i, 500, {"type": "opensearch_rejected_execution_exception"}) for i in ids],
        lambda ids: [item(i, 200) for i in ids],
    )
    results = write_bulk(engine, ops(2), deadline=time.monotonic() + 30, sleep=Sleeps())  # type: ignore[arg-type]
    assert all(r.ok for r in results) and len(engine.sent) == 2


def test_permanent_item_failures_are_failures_and_not_retried() -> None:
    engine = ScriptedEngine(lambda ids: [item(i, 400, MAPPING) if i == "d0" else item(i, 201) for i in ids])
    results = write_bulk(engine, ops(2), deadline=time.monotonic() + 30, sleep=Sleeps())  # type: ignore[arg-type]
    assert [r.ok for r in results] == [False, True]
    assert "mapper_parsing_exception" in results[0].error
    assert len(engine.sent) == 1


def test_items_still_rejected_after_every_attempt_are_failed() -> None:
    engine = ScriptedEngine(*[lambda ids: [item(i, 429, REJECTED) for i in ids]] * bulk.MAX_ATTEMPTS)
    sleeps = Sleeps()
    results = write_bulk(engine, ops(3), deadline=time.monotonic() + 600, sleep=sleeps)  # type: ignore[arg-type]
    assert not any(r.ok for r in results)
    assert all("es_rejected_execution_exception" in r.error for r in results)
    assert len(engine.sent) == bulk.MAX_ATTEMPTS
    assert len(sleeps) == bulk.MAX_ATTEMPTS - 1
    caps = [min(bulk.BACKOFF_CAP_S, bulk.BACKOFF_BASE_S * 2**n) for n in range(1, bulk.MAX_ATTEMPTS)]
    assert all(0 <= s <= cap for s, cap in zip(sleeps, caps, strict=True))


def test_backoff_is_jittered() -> None:
    delays = set()
    for _ in range(5):
        engine = ScriptedEngine(
            lambda ids: [item(i, 429, REJECTED) for i in ids], lambda ids: [item(i, 201) for i in ids]
        )
        sleeps = Sleeps()
        write_bulk(engine, ops(1), deadline=time.monotonic() + 30, sleep=sleeps)  # type: ignore[arg-type]
        delays.add(sleeps[0])
    assert len(delays) > 1


def test_no_retry_past_the_deadline() -> None:
    engine = ScriptedEngine(lambda ids: [item(i, 429, REJECTED) for i in ids])
    sleeps = Sleeps()
    results = write_bulk(engine, ops(2), deadline=time.monotonic() + 0.5, sleep=sleeps)  # type: ignore[arg-type]
    assert len(engine.sent) == 1 and sleeps == []
    assert not any(r.ok for r in results)
    assert engine.timeouts[0] <= bulk.MIN_REQUEST_S


def test_time_budget_from_lambda_remaining_time_bounds_retries_and_request_timeouts() -> None:
    engine = ScriptedEngine(
        ConnectionTimeout("TIMEOUT", "read timed out", None), lambda ids: [item(i, 201) for i in ids]
    )
    deadline = deadline_after(remaining_ms=20_000, margin_s=2)
    results = write_bulk(engine, ops(2), deadline, sleep=Sleeps())  # type: ignore[arg-type]
    assert all(r.ok for r in results)
    assert all(t <= 18 for t in engine.timeouts)


@pytest.mark.parametrize(
    "error",
    [
        EngineConnectionError("N/A", "connection refused", None),
        ConnectionTimeout("TIMEOUT", "read timed out", None),
        TransportError(429, "too_many_requests", {}),
        TransportError(503, "unavailable", {}),
    ],
)
def test_transient_request_failures_retry_the_whole_batch(error: Exception) -> None:
    engine = ScriptedEngine(error, lambda ids: [item(i, 201) for i in ids])
    results = write_bulk(engine, ops(3), deadline=time.monotonic() + 30, sleep=Sleeps())  # type: ignore[arg-type]
    assert all(r.ok for r in results) and engine.sent[1] == ["d0", "d1", "d2"]


def test_engine_down_for_good_fails_every_item_without_raising() -> None:
    engine = ScriptedEngine(*[EngineConnectionError("N/A", "connection refused", None)] * bulk.MAX_ATTEMPTS)
    results = write_bulk(engine, ops(2), deadline=time.monotonic() + 600, sleep=Sleeps())  # type: ignore[arg-type]
    assert [(r.ok, r.doc_id, r.op_type) for r in results] == [(False, "d0", "index"), (False, "d1", "index")]


def test_a_bad_request_is_failed_at_once() -> None:
    engine = ScriptedEngine(TransportError(400, "illegal_argument_exception", {}))
    results = write_bulk(engine, ops(2), deadline=time.monotonic() + 30, sleep=Sleeps())  # type: ignore[arg-type]
    assert not any(r.ok for r in results) and len(engine.sent) == 1


def test_delete_of_a_missing_document_is_done_and_items_missing_from_the_answer_are_not() -> None:
    deletes = [{"_op_type": "delete", "_index": "idx", "_id": "gone"}, *ops(2)]
    engine = ScriptedEngine(
        lambda ids: [item("gone", 404, op="delete"), item("d0", 201)],  # d1 left out of the answer
        lambda ids: [item(i, 201) for i in ids],
    )
    results = write_bulk(engine, deletes, deadline=time.monotonic() + 30, sleep=Sleeps())  # type: ignore[arg-type]
    assert [r.ok for r in results] == [True, True, True]
    assert engine.sent[1] == ["d1"]


def test_big_batches_are_split_into_requests_under_the_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "MAX_REQUEST_BYTES", 3000)
    big = [{"_op_type": "index", "_index": "idx", "_id": f"d{i}", "_source": {"body": "x" * 1000}} for i in range(7)]
    engine = ScriptedEngine(*[lambda ids: [item(i, 201) for i in ids]] * 4)
    results = write_bulk(engine, big)  # type: ignore[arg-type]
    assert [r.ok for r in results] == [True] * 7
    assert [len(sent) for sent in engine.sent] == [2, 2, 2, 1]  # in order, none over the cap
    assert [i for sent in engine.sent for i in sent] == [f"d{i}" for i in range(7)]


def test_a_request_over_the_engines_size_limit_is_sent_again_one_item_at_a_time() -> None:
    """Amazon OpenSearch Service takes 10 MiB a request on small instances: a request it refuses (413) is split,
    and a single document it still refuses fails alone, permanently, with the engine's status for the caller."""
    too_large = TransportError(413, "Request Entity Too Large", {})
    ok = lambda ids: [item(i, 201) for i in ids]  # noqa: E731
    engine = ScriptedEngine(too_large, ok, too_large, ok)
    results = write_bulk(engine, ops(3), deadline=time.monotonic() + 30, sleep=Sleeps())  # type: ignore[arg-type]
    assert engine.sent == [["d0", "d1", "d2"], ["d0"], ["d1"], ["d2"]]
    assert [(r.doc_id, r.ok, r.status) for r in results] == [("d0", True, 201), ("d1", False, 413), ("d2", True, 201)]
