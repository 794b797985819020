"""The report: a Markdown table of every figure beside its baseline, the JSON file, the scale plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

# What the issue asks of each ratio.
GOALS = {
    "ingest": 0.8,  # path / limit, at least
    "search_overhead_p50": 0.15,  # handler p50 over direct p50, at most
    "import_vs_boto3": 1.5,  # at most
}


def _ok(good: bool) -> str:
    return "yes" if good else "**no**"


def table(report: dict[str, Any]) -> str:
    rows = ["| figure | subject | baseline (same run) | ratio | goal | met |", "| --- | --- | --- | --- | --- | --- |"]
    for r in report["ingest"]:
        rows.append(
            f"| ingest, {r['size']:,} docs | {r['path_docs_per_s']:,.0f} docs/s (whole path) "
            f"| {r['limit_docs_per_s']:,.0f} docs/s (plain `_bulk`) | {r['ratio']:.2f} of limit "
            f"| ≥ {GOALS['ingest']} | {_ok(r['ratio'] >= GOALS['ingest'])} |"
        )
    for s in report["search"]:
        h, d = s["handler"], s["direct"]
        rows.append(
            f"| search p50, {s['size']:,} docs | {h['p50_ms']:.1f} ms (handler) | {d['p50_ms']:.1f} ms (direct) "
            f"| {s['handler_overhead_p50']:+.0%} | ≤ +{GOALS['search_overhead_p50']:.0%} "
            f"| {_ok(s['handler_overhead_p50'] <= GOALS['search_overhead_p50'])} |"
        )
        rows.append(
            f"| search p95, {s['size']:,} docs | {h['p95_ms']:.1f} ms (handler) | {d['p95_ms']:.1f} ms (direct) "
            f"| {s['handler_overhead_p95']:+.0%} | – | – |"
        )
        if "gateway" in s:
            rows.append(
                f"| search p50 via HTTP gateway, {s['size']:,} docs | {s['gateway']['p50_ms']:.1f} ms "
                f"| {d['p50_ms']:.1f} ms (direct) | {s['gateway_overhead_p50']:+.0%} | – | – |"
            )
    cold = report["cold_start"]
    boto = cold["boto3"]["median_ms"]
    for module in ("functions.ingest.app", "functions.search.app"):
        c = cold[module]
        rows.append(
            f"| import `{module}` (median of {cold['runs']}) | {c['median_ms']:.0f} ms "
            f"| {boto:.0f} ms (`import boto3`) | {c['vs_boto3']:.2f}x | ≤ {GOALS['import_vs_boto3']}x "
            f"| {_ok(c['vs_boto3'] <= GOALS['import_vs_boto3'])} |"
        )
    if "layer" in report:
        layer = report["layer"]
        rows.append(
            f"| layer size ({layer['source']}) | {layer['unzipped_bytes'] / 2**20:.1f} MB unzipped "
            f"| 250 MB (Lambda's unzipped limit) | {layer['unzipped_bytes'] / (250 * 2**20):.2f} "
            f"| – | {layer['zipped_bytes'] / 2**20:.1f} MB zipped |"
        )
    m = report["memory"]
    rows.append(
        f"| memory, ingest of {m['articles']} × {m['article_mb']:g} MB | {m['peak_rss_mb']:.0f} MB peak RSS "
        f"| {m['rss_after_import_mb']:.0f} MB after import | {m['growth_per_input_mb']:.1f} MB per input MB | – | – |"
    )
    rows.append(
        f"| that batch's handler time | {m['seconds']:.1f} s | {m['default_engine_timeout_s']:g} s (default engine "
        f"timeout) | {m['seconds'] / m['default_engine_timeout_s']:.2f} | < 1 | "
        f"{_ok(m['seconds'] < m['default_engine_timeout_s'])} |"
    )
    return "\n".join(rows)


def diagnostics_table(report: dict[str, Any]) -> str:
    d = report.get("diagnostics")
    if not d:
        return ""
    c = d["compression"]
    rows = [
        f"Where the ingest path's time goes ({d['docs']} docs, sequential, same run):",
        "",
        "| step | docs/s |",
        "| --- | --- |",
        f"| S3 GetObject (moto) | {d['s3_get_docs_per_s']:,.0f} |",
        f"| extraction | {d['extract_docs_per_s']:,.0f} |",
        f"| `_bulk` of 10 clean docs | {d['bulk10_docs_per_s']:,.0f} |",
        f"| `_bulk` of 500 clean docs | {d['bulk500_docs_per_s']:,.0f} |",
        f"| whole path, client gzip on | {c['ingest_gzip_docs_per_s']:,.0f} |",
        f"| whole path, client gzip off | {c['ingest_plain_docs_per_s']:,.0f} |",
        f"| whole path, SQS batches of 100 (gzip on) | {c['ingest_batch100_docs_per_s']:,.0f} |",
        f"| whole path, objects served from memory (no S3) | {c['ingest_without_s3_docs_per_s']:,.0f} |",
        f"| S3 GetObject, 10 threads | {d['s3_get_10_threads_docs_per_s']:,.0f} |",
        "",
        f"`ensure_index` on every invocation: {d['ensure_index_ms_per_call']:.2f} ms per call. "
        f"Search handler p50 with gzip {c['search_gzip_p50_ms']:.1f} ms vs without {c['search_plain_p50_ms']:.1f} ms "
        f"({c['search_gzip_vs_plain_p50']:.2f}x).",
    ]
    last = report["search"][-1]
    costs = [
        f"without `{part}` {last[f'direct_without_{part}']['p50_ms']:.1f} ms "
        f"({last[f'direct_without_{part}_vs_direct_p50']:.2f}x)"
        for part in ("highlight", "aggs")
        if f"direct_without_{part}" in last
    ]
    if costs:
        rows += [
            "",
            f"What parts of the query cost the engine at {last['size']:,} docs (direct p50 "
            f"{last['direct']['p50_ms']:.1f} ms): " + ", ".join(costs) + ".",
        ]
    cold = report.get("cold_start", {})
    parts = [f"`{m}` {v['median_ms']:.0f} ms" for m, v in cold.items() if isinstance(v, dict) and m not in _COLD_MAIN]
    if parts:
        rows += [
            "",
            f"Imported alone (median, fresh process; boto3 {cold['boto3']['median_ms']:.0f} ms): "
            + ", ".join(parts)
            + ".",
        ]
    return "\n".join(rows)


_COLD_MAIN = ("boto3", "functions.ingest.app", "functions.search.app")


def save(report: dict[str, Any], directory: Path = RESULTS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = report["meta"]["started"].replace(":", "").replace("-", "")
    path = directory / f"bench-{report['meta']['mode']}-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def plot(report: dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ingest, search = report["ingest"], report["search"]
    sizes = [r["size"] for r in ingest]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot(sizes, [r["limit_docs_per_s"] for r in ingest], "o--", label="plain _bulk (engine limit)")
    left.plot(sizes, [r["path_docs_per_s"] for r in ingest], "o-", label="whole ingest path")
    for r in ingest:
        left.annotate(f"{r['ratio']:.2f}", (r["size"], r["path_docs_per_s"]), textcoords="offset points", xytext=(4, 6))
    left.set(xscale="log", ylim=(0, None), xlabel="documents in the index", ylabel="documents / second")
    left.set_title("Ingest throughput (labels: ratio to the limit)")
    subjects = (("direct", "o--", "tab:blue"), ("handler", "o-", "tab:orange"), ("gateway", "s:", "tab:green"))
    for name, style, color in subjects:
        if name in search[0]:
            right.plot(sizes, [s[name]["p50_ms"] for s in search], style, color=color, label=f"{name} p50")
            right.plot(sizes, [s[name]["p95_ms"] for s in search], style, color=color, alpha=0.35, label="p95")
    right.set(xscale="log", xlabel="documents in the index", ylabel="latency (ms)")
    right.set_title("Search latency vs the same query straight to the engine")
    for axis in (left, right):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
        axis.set_xticks(sizes, [f"{n / 1000:g}k" if n >= 1000 else str(n) for n in sizes])
        axis.minorticks_off()
    meta = report["meta"]
    fig.suptitle(f"docsearch bench ({meta['mode']}, {meta['started']}, OpenSearch {meta['opensearch']})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
