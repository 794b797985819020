"""What extracting one object in a child process costs over extracting it in-process.

Usage: python -m bench.isolation_cost [--rounds 200]
Prints JSON: per input, the median and p95 wall time of ``readahead.extract`` in-process (under the signal
limit) and in a child (``isolation.run_isolated``), and the child's extra milliseconds; the parent's
RSS, which a fork's page-table copy grows with. The inputs: a sample text article, the sample HTML
pages, and HTML pages of 32 KiB (the threshold) and 256 KiB. Both sides run in this process, in turns,
so the machine's load weighs on them alike (docs/decisions/0009 quotes a run).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from docsearch.ingest.article import Article
from docsearch.ingest.extract import extract_article
from docsearch.ingest.isolation import run_isolated
from docsearch.ingest.timelimit import cpu_time_limit, extraction_budget_s

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "articles"


def inputs() -> dict[str, tuple[str, bytes]]:
    html = (SAMPLES / "05-perdana-menteri-jepang-jakarta.html").read_bytes()
    paragraph = b"<p>Banjir merendam ratusan rumah warga di Jakarta Timur sejak pagi, kata petugas.</p>\n"
    page = html.replace(b"</body>", b"%s</body>")
    return {
        "txt 2.8 KB": ("a.txt", (SAMPLES / "06-banjir-jakarta-pengungsi.txt").read_bytes()),
        "html 4.4 KB": ("a.html", html),
        "html 32 KiB": ("a.html", page % (paragraph * (32 * 1024 // len(paragraph)))),
        "html 256 KiB": ("a.html", page % (paragraph * (256 * 1024 // len(paragraph)))),
    }


def _timed(run: Callable[[], Article]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def measure(rounds: int) -> dict[str, object]:
    report: dict[str, object] = {}
    for name, (key, data) in inputs().items():
        budget = extraction_budget_s(len(data))

        def work(key: str = key, data: bytes = data) -> Article:
            return extract_article(data, key=key)

        def in_process(work: Callable[[], Article] = work, budget: float = budget) -> Article:
            with cpu_time_limit(budget):
                return work()

        def in_child(work: Callable[[], Article] = work, budget: float = budget) -> Article:
            return run_isolated(work, budget, budget * 4 + 1)

        in_process()  # imports and caches warm, as in a warm function
        here, child = [], []
        for _ in range(rounds):
            here.append(_timed(in_process))
            child.append(_timed(in_child))
        report[name] = {
            "in_process_ms": _summary(here),
            "child_ms": _summary(child),
            "extra_ms_p50": round(statistics.median(child) - statistics.median(here), 2),
        }
    report["parent_max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return report


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": round(statistics.median(ordered), 2), "p95": round(ordered[int(len(ordered) * 0.95) - 1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    print(json.dumps(measure(parser.parse_args().rounds), indent=2))


if __name__ == "__main__":
    main()
