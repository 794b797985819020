"""``python -m eval [--facqa PATH] [--facqa-queries N]``: the relevance report (``make eval``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from docsearch.engine import build_client
from docsearch.settings import Settings
from docsearch_local.paths import stack_config
from eval.corpus import facqa_set, sample_set
from eval.report import evaluate, table

DEFAULT_FACQA_QUERIES = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--facqa", type=Path, help="a BEIR-style folder (corpus.jsonl, queries.jsonl, qrels.tsv)")
    parser.add_argument(
        "--facqa-queries",
        type=int,
        default=DEFAULT_FACQA_QUERIES,
        help="how many queries to sample from it (fixed seed; 0 = all)",
    )
    parser.add_argument("--opensearch", default=os.environ.get("OPENSEARCH_URL") or stack_config().opensearch_url)
    args = parser.parse_args()
    client = build_client(Settings(opensearch_url=args.opensearch, opensearch_timeout_s=120))
    sets = [sample_set()]
    if args.facqa:
        sets.append(facqa_set(args.facqa, limit=args.facqa_queries or None))
    for labelled in sets:
        results = evaluate(client, labelled)
        print(table(labelled, results), end="\n\n", flush=True)
        for scores in results:
            if scores.probe_failures:
                print(f"  {scores.system}: precision probes failed: {', '.join(scores.probe_failures)}")
        print()


if __name__ == "__main__":
    main()
