"""`make backfill`: index everything already in the local bucket, with a progress bar and a summary.

python -m docsearch_local.backfill [--prefix PREFIX]
"""

from __future__ import annotations

import argparse
import sys

from opensearchpy import OpenSearch

from docsearch.backfill import BackfillSummary, backfill
from docsearch.observability import logger
from docsearch_local.aws_resources import clients
from docsearch_local.paths import stack_config

BAR_WIDTH = 40


def progress(done: int, total: int) -> None:
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    percent = 100 * done // total if total else 100
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} ({percent}%)")
    sys.stderr.flush()


def render(summary: BackfillSummary) -> str:
    lines = [
        f"listed     {summary.listed}",
        f"indexed    {summary.indexed}",
        f"unchanged  {summary.unchanged}",
        f"skipped    {sum(summary.skipped.values())}"
        + "".join(f"\n  {reason:<18} {count}" for reason, count in summary.skipped.items()),
        f"failed     {summary.failed}",
        *(f"  {failure}" for failure in summary.failures),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--prefix", default="", help="only keys under this prefix")
    args = parser.parse_args(argv)
    config = stack_config()
    s3, _ = clients(config)
    engine = OpenSearch(hosts=[config.opensearch_url], timeout=30)
    logger.setLevel("WARNING")  # skips are counted in the summary; keep the bar readable
    print(f"backfilling s3://{config.bucket}/{args.prefix} into {config.index_alias}", file=sys.stderr)
    summary = backfill(s3, config.bucket, args.prefix, engine, config.index_alias, on_progress=progress)
    print(file=sys.stderr)
    print(render(summary))
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
