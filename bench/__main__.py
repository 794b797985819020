"""`python -m bench [--quick] [--sizes 1000,10000,100000]`: run the benchmark on the local stack.

`python -m bench --capacity 10000,30000,100000` grows one index in those stages instead and reports
ingest throughput, search p50/p99 and index bytes per article at each (bench.capacity; no Docker).

The stack must be up (`make up`); without --quick, Docker, Lambda's image and `sam build` output
too (`make lambda-image`; `make bench` prepares both). The bench uses its own bucket and
``bench-*`` indices and deletes them afterwards. Prints the table, saves the JSON under bench/results/ and the plot.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.report import RESULTS, diagnostics_table, goals_table, implausible, plot, save, table
from bench.run import Options, run

QUICK = Options(
    sizes=[200, 600],
    queries=40,
    import_runs=3,
    round_docs=300,
    memory_article_bytes=2 * 1024 * 1024,
    diagnostics_docs=100,
    import_components=False,
    sam_local=False,  # Docker and three `sam local start-api` rounds: `make bench` only
    mode="quick",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="CI mode: small sizes, fewer runs (< 3 min)")
    parser.add_argument("--sizes", help="comma-separated index sizes, e.g. 1000,10000,100000")
    parser.add_argument("--plot", type=Path, help="where to write the scale plot (default: beside the JSON)")
    parser.add_argument("--capacity", metavar="SIZES", help="grow one index in these stages, e.g. 10000,30000,100000")
    parser.add_argument("--queries", type=int, default=200, help="with --capacity: timed searches per stage")
    args = parser.parse_args(argv)
    if args.capacity:
        from bench import capacity

        stages = [int(s) for s in args.capacity.split(",")]
        return capacity.main(stages, args.queries, log=lambda line: print(line, file=sys.stderr, flush=True))
    options = QUICK if args.quick else Options()
    if args.sizes:
        options.sizes = [int(s) for s in args.sizes.split(",")]
    started = time.monotonic()
    report = run(options, log=lambda line: print(line, file=sys.stderr, flush=True))
    saved = save(report)
    png = plot(report, args.plot or saved.with_suffix(".png"))
    print(goals_table(report))
    print()
    print(table(report))
    print()
    print(diagnostics_table(report))
    print(f"\nsaved {saved.relative_to(RESULTS.parent.parent)} and {png} in {time.monotonic() - started:.0f}s")
    problems = implausible(report)
    for problem in problems:
        print(f"IMPLAUSIBLE: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
