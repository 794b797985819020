"""``python -m eval [--facqa PATH] [--facqa-queries N]``: the relevance report (``make eval``)."""

from __future__ import annotations

import argparse
import os
from functools import partial
from pathlib import Path

from docsearch.embed import LEAD_CHARS, embedder_from_env
from docsearch.engine import build_client
from docsearch.search.client import SearchClient
from docsearch.settings import Settings
from docsearch_local.paths import stack_config
from eval.archive.report import run as archive_report
from eval.corpus import facqa_set, query_number, question_set, sample_set, vocabulary_set
from eval.report import evaluate, table

DEFAULT_FACQA_QUERIES = 1000


def _has_parity(parity: int, query_id: str) -> bool:
    return query_number(query_id) % 2 == parity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--facqa", type=Path, help="a BEIR-style folder (corpus.jsonl, queries.jsonl, qrels.tsv)")
    parser.add_argument(
        "--facqa-queries",
        type=int,
        default=DEFAULT_FACQA_QUERIES,
        help="how many queries to sample from it (fixed seed; 0 = all)",
    )
    parser.add_argument(
        "--no-archive", action="store_true", help="leave out the real-archive report (eval/archive, a few minutes)"
    )
    parser.add_argument(
        "--no-hybrid", action="store_true", help="lexical mode only (no model: EMBEDDING_MODEL is not loaded)"
    )
    parser.add_argument(
        "--lead-chars",
        type=int,
        default=LEAD_CHARS,
        help=f"characters of a document's body embedded after its title (default {LEAD_CHARS}; ingest's)",
    )
    parser.add_argument("--opensearch", default=os.environ.get("OPENSEARCH_URL") or stack_config().opensearch_url)
    args = parser.parse_args()
    settings = Settings(opensearch_url=args.opensearch, opensearch_timeout_s=120)
    client, reader = build_client(settings), SearchClient.from_settings(settings)
    embedder = None if args.no_hybrid else embedder_from_env()
    sets = [sample_set(), question_set(), vocabulary_set()]
    if args.facqa:
        sets.append(facqa_set(args.facqa, limit=args.facqa_queries or None))
    for labelled in sets:
        results = evaluate(client, reader, labelled, embedder, args.lead_chars)
        print(table(labelled, results), end="\n\n", flush=True)
        if labelled.name not in ("samples", "questions", "vocabulary"):
            # Ranking was tuned on the even query ids of FacQA only; the odd ones are held out.
            for half, parity in (("tuning half: even ids", 0), ("held-out half: odd ids", 1)):
                part = [scores.subset(partial(_has_parity, parity)) for scores in results]
                print(table(labelled, part, title=f"{labelled.name}, {half}"), end="\n\n", flush=True)
        for scores in results:
            if scores.probe_failures:
                print(f"  {scores.system}: precision probes failed: {', '.join(scores.probe_failures)}")
        print()
    if not args.no_archive:
        # Real scraped archives, when their public mirrors are at hand (else one line says it was skipped).
        print(archive_report(client, reader, embedder=embedder), flush=True)


if __name__ == "__main__":
    main()
