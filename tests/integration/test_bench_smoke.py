"""The benchmark's code paths on tiny sizes, on the real engine and S3 emulation.

Times are not asserted (speed is what `make bench` reports); what is asserted is that
the report carries every figure beside its baseline, the ratios are computed from them,
nothing failed on the way, and the bench leaves no index or bucket behind.
"""

from pathlib import Path
from typing import Any

import pytest
from opensearchpy import OpenSearch

from bench.report import diagnostics_table, goals_table, implausible, plot, save, table
from bench.run import Bench, Options
from docsearch_local.paths import StackConfig

pytestmark = pytest.mark.integration

TINY = Options(
    sizes=[20, 40],
    queries=6,
    import_runs=1,
    memory_articles=10,
    memory_article_bytes=50_000,
    round_docs=10,
    diagnostics_docs=20,
    sam_local=False,  # Docker: tests/sam/test_bench_sam_cold.py
    mode="smoke",
)


def test_bench_reports_every_figure_and_ratio(
    local_stack: StackConfig, engine: OpenSearch, s3: Any, sqs: Any, tmp_path: Path
) -> None:
    bench = Bench(local_stack, TINY, log=lambda _: None)
    report = bench.run()

    assert [r["size"] for r in report["ingest"]] == [20, 40]
    for stage in report["ingest"]:
        assert stage["failed_messages"] == 0
        assert stage["path_docs_per_s"] > 0 and stage["baseline_docs_per_s"] > 0
        # The rates are rounded to 0.1 docs/s: with the model embedding every article (about 2 docs/s here)
        # that alone moves their quotient by up to 5 %.
        assert stage["ratio"] == pytest.approx(stage["path_docs_per_s"] / stage["baseline_docs_per_s"], rel=0.05)
    for stage in report["search"]:
        for subject in ("handler", "direct", "gateway"):
            assert stage[subject]["n"] == 6 and 0 < stage[subject]["p50_ms"] <= stage[subject]["p95_ms"]
        assert stage["handler_overhead_p50"] == pytest.approx(
            stage["handler"]["p50_ms"] / stage["direct"]["p50_ms"] - 1, abs=0.002
        )
    assert report["search"][-1]["direct_without_highlight"]["n"] == 6
    assert report["search"][-1]["direct_without_aggs_vs_direct_p50"] > 0
    cold = report["cold_start"]
    for module in ("boto3", "functions.ingest.app", "functions.search.app"):
        assert cold[module]["median_ms"] > 0 and cold[module]["heaviest"]
    assert cold["first_search"]["median_ms"] > cold["functions.search.app"]["median_ms"] * 0.5
    assert cold["functions.ingest.app"]["vs_boto3"] == pytest.approx(
        cold["functions.ingest.app"]["median_ms"] / cold["boto3"]["median_ms"], rel=0.01
    )
    assert report["layer"]["unzipped_bytes"] > report["layer"]["zipped_bytes"] > 0
    memory = report["memory"]
    assert memory["indexed"] == 10 and memory["failed_messages"] == 0
    assert memory["peak_rss_mb"] >= memory["rss_after_import_mb"] > 0
    diagnostics = report["diagnostics"]
    for figure in (
        "s3_get_docs_per_s",
        "decode_docs_per_s",
        "extract_docs_per_s",
        "bulk10_docs_per_s",
        "bulk10_create_docs_per_s",
        "bulk500_docs_per_s",
        "path_without_s3_docs_per_s",
    ):
        assert diagnostics[figure] > 0
    # Extraction measured as the path calls it: every upload format of the corpus, HTML included.
    assert {"txt", "html", "json"} <= set(diagnostics["extract_ms_by_format"])
    assert diagnostics["extract_docs_per_s"] < diagnostics["decode_docs_per_s"]
    assert isinstance(implausible(report), list)

    rendered = table(report)
    assert rendered.count("| ingest,") == 2 and rendered.count("| search p50,") == 2
    assert "import `functions.search.app`" in rendered and "| layer (" in rendered and "peak RSS" in rendered
    assert "`create` (as the path writes new keys)" in diagnostics_table(report)
    goal_rows = goals_table(report)
    for goal in ("layer size", "search handler import", "ingest handler import", "whole path /", "handler p50 over"):
        assert goal in goal_rows, goal
    assert "peak RSS, a batch of 10" in goal_rows
    assert "without `highlight`" in diagnostics_table(report)
    assert save(report, tmp_path).stat().st_size > 0
    assert plot(report, tmp_path / "scale.png").read_bytes().startswith(b"\x89PNG")

    # Nothing left behind: no bench index, no bench bucket.
    assert not engine.indices.get(index=f"{bench.prefix}-*", ignore_unavailable=True)
    assert bench.bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert not sqs.list_queues(QueueNamePrefix=bench.prefix).get("QueueUrls")


def test_implausible_figures_fail_the_bench() -> None:
    report = {
        "diagnostics": {"extract_docs_per_s": 85_000, "decode_docs_per_s": 20_000, "path_without_s3_docs_per_s": 300,
                        "bulk500_docs_per_s": 1_000},
        "ingest": [{"size": 1000, "ratio": 1.8, "failed_messages": 0}],
        "search": [{"size": 1000, "handler_overhead_p50": 0.05, "direct_without_highlight_vs_direct_p50": 0.8}],
        "cold_start": {"functions.search.app": {"vs_boto3": 1.2}, "functions.ingest.app": {"vs_boto3": 0.05}},
        "memory": {"indexed": 10, "articles": 10},
    }  # fmt: skip
    problems = implausible(report)
    assert len(problems) == 3, problems
    assert any("extraction" in p for p in problems) and any("beats its own reads" in p for p in problems)


def test_implausible_sam_local_figures_fail_the_bench() -> None:
    sam = {"containers_started_by_requests": 1, "search_cold_ms": 40.0, "search_warm_ms": 45.0,
           "baseline_cold_ms": 300.0, "baseline_warm_ms": 15.0, "search_cold_vs_baseline_cold": 0.13}  # fmt: skip
    problems = implausible({"ingest": [], "search": [], "sam_local": sam})
    assert len(problems) == 3, problems
    assert any("started its own container" in p for p in problems)
    assert any("cold first search answer is not slower" in p for p in problems)
