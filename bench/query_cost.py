"""What a hostile query costs next to ordinary ones, under concurrency, on ~5k generated articles.

Usage: OPENSEARCH_URL=http://127.0.0.1:9200 python -m bench.query_cost [--docs 5000] [--seconds 15]
Prints JSON: engine ``took`` and wall p50/p95 of each query kind alone, then the p50 of ordinary
queries while hostile clients run (the figure that says whether one user can slow the others).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import threading
import time
from typing import Any

from opensearchpy import OpenSearch, helpers

from bench.corpus import generate, vocabulary
from docsearch.index.definition import ensure_index
from docsearch.search.models import SearchRequest
from docsearch.search.query import build_search
from docsearch.search.suggest import suggestion_body, suggestion_wanted, wants_suggestion

ALIAS = "bench-query-cost"
ORDINARY = ["banjir jakarta", "harga beras naik", "gempa bumi", "pemilu presiden", "ekonomi indonesia"]


def hostile_query(seed: int = 1, words: int = 32) -> str:
    """``words`` long words, each with a typo (two letters swapped), as a hostile user would send."""
    rng = random.Random(seed)  # noqa: S311 (test data)
    long_words = [w for w in vocabulary().content_words() if len(w) >= 9] or ["pemerintahan"]
    picked = [rng.choice(long_words) for _ in range(words)]
    return " ".join(w[:3] + w[4] + w[3] + w[5:] for w in picked)


def fill(engine: OpenSearch, docs: int) -> None:
    if engine.indices.exists_alias(name=ALIAS) and engine.count(index=ALIAS)["count"] >= docs:
        return
    engine.indices.delete(index=f"{ALIAS}-v*", ignore_unavailable=True)
    ensure_index(engine, ALIAS)
    actions = (
        {
            "_index": ALIAS,
            "_id": str(i),
            "_source": {"key": g.key, "title": g.title, "body": g.text, "source": g.source},
        }
        for i in range(docs)
        for g in [generate(i, prefix="cost")]
    )
    helpers.bulk(engine, actions, chunk_size=500, request_timeout=120)
    engine.indices.refresh(index=ALIAS)


def timed(engine: OpenSearch, q: str) -> tuple[float, int, bool]:
    """One search as the service runs it (search/run.py): the query, then, when it finds fewer than a few, the
    suggestion and (when it found nothing) the relaxed query, in one more request. Wall and engine time summed."""
    request = SearchRequest.model_validate({"q": q})
    started = time.perf_counter()
    response: dict[str, Any] = engine.search(index=ALIAS, body=build_search(request), request_timeout=60)
    took, timed_out = int(response["took"]), bool(response.get("timed_out"))
    if wants_suggestion(request, response):
        found = int(response["hits"]["total"]["value"])
        body = {**build_search(request, relaxed=True), **suggestion_body(request, size=False)} if not found else None
        if body or suggestion_wanted(request):
            second: dict[str, Any] = engine.search(
                index=ALIAS, body=body or suggestion_body(request), request_timeout=60
            )
            took, timed_out = took + int(second["took"]), timed_out or bool(second.get("timed_out"))
    return (time.perf_counter() - started) * 1000, took, timed_out


def alone(engine: OpenSearch, queries: list[str], rounds: int) -> dict[str, float]:
    wall, took, partial = [], [], 0
    for i in range(rounds):
        ms, t, timed_out = timed(engine, queries[i % len(queries)])
        wall.append(ms)
        took.append(t)
        partial += timed_out
    return {
        "wall_p50_ms": round(statistics.median(wall), 1),
        "wall_p95_ms": round(sorted(wall)[int(len(wall) * 0.95) - 1], 1),
        "took_p50_ms": statistics.median(took),
        "partial": partial,
    }


def under_load(engine: OpenSearch, hostile_clients: int, seconds: float, hostile: bool = True) -> dict[str, float]:
    """p50 of one client's ordinary queries while ``hostile_clients`` threads send the hostile query
    (or, with ``hostile=False``, ordinary ones: the same load from well-behaved clients)."""
    stop = threading.Event()
    hostile_ms: list[float] = []

    def attack(seed: int) -> None:
        q = hostile_query(seed) if hostile else ORDINARY[seed % len(ORDINARY)]
        while not stop.is_set():
            hostile_ms.append(timed(engine, q)[0])

    threads = [threading.Thread(target=attack, args=(n,)) for n in range(hostile_clients)]
    for thread in threads:
        thread.start()
    ordinary: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ordinary.append(timed(engine, ORDINARY[len(ordinary) % len(ORDINARY)])[0])
    stop.set()
    for thread in threads:
        thread.join()
    return {
        "ordinary_p50_ms": round(statistics.median(ordinary), 1),
        "hostile_p50_ms": round(statistics.median(hostile_ms), 1) if hostile_ms else 0.0,
        "hostile_requests": len(hostile_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--hostile-clients", type=int, default=4)
    args = parser.parse_args()
    engine = OpenSearch(hosts=[os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200")], timeout=60)
    fill(engine, args.docs)
    for q in ORDINARY:  # warm caches
        timed(engine, q)
    report = {
        "docs": engine.count(index=ALIAS)["count"],
        "hostile_query": hostile_query(0)[:80] + "...",
        "ordinary_alone": alone(engine, ORDINARY, 50),
        "hostile_alone": alone(engine, [hostile_query(n) for n in range(5)], 10),
        "four_typo_words_alone": alone(engine, [hostile_query(n, words=4) for n in range(5)], 10),
        "repeated_word_alone": alone(engine, [" ".join(["pemerintahan"] * 32)], 10),
        "ordinary_baseline": under_load(engine, 0, args.seconds / 2),
        f"ordinary_with_{args.hostile_clients}_ordinary_clients": under_load(
            engine, args.hostile_clients, args.seconds, hostile=False
        ),
        f"ordinary_with_{args.hostile_clients}_hostile_clients": under_load(engine, args.hostile_clients, args.seconds),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
