"""What grouping copies costs a search: `python -m bench.grouping --corpus <BEIR folder>` (stack up).

Indexes the folder's passages (``corpus.jsonl``, ``queries.jsonl``) into a throwaway ``bench-grouping-*``
index, then runs a sample of its queries grouped and ungrouped, alternating in random order in the
same run, and prints the medians (wall time of ``search.run.search`` and the engine's ``took``) and
their ratio. The index is deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
import uuid
from pathlib import Path

from opensearchpy import OpenSearch, helpers

from docsearch.index.definition import ensure_index
from docsearch.ingest.fingerprint import paragraph_hashes
from docsearch.search.client import SearchClient
from docsearch.search.models import MAX_QUERY_CHARS, SearchRequest
from docsearch.search.run import search

SEED = 1
WARMUP = 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with corpus.jsonl and queries.jsonl")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200")
    client, reader = OpenSearch(hosts=[url], timeout=60), SearchClient(url, timeout_s=60)
    alias = f"bench-grouping-{uuid.uuid4().hex[:8]}"
    ensure_index(client, alias)
    try:
        docs = [json.loads(line) for line in (args.corpus / "corpus.jsonl").open(encoding="utf-8")]
        actions = (
            {
                "_index": alias,
                "_id": doc["id"],
                "_source": {
                    "key": doc["id"],
                    "title": doc.get("title", ""),
                    "body": doc["text"],
                    "story": doc["id"],
                    "paragraphs": paragraph_hashes(doc["text"]),
                },
            }
            for doc in docs
        )
        helpers.bulk(client, actions, request_timeout=120)
        client.indices.refresh(index=alias)
        texts = [json.loads(line)["query"][:MAX_QUERY_CHARS] for line in (args.corpus / "queries.jsonl").open()]
        rng = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
        texts = rng.sample(texts, min(args.queries, len(texts)))
        wall: dict[bool, list[float]] = {True: [], False: []}
        took: dict[bool, list[int]] = {True: [], False: []}
        for text in texts[:WARMUP]:
            for group in (True, False):
                search(reader, alias, SearchRequest(q=text, page=1, size=10, group=group))
        for text in texts:
            for group in rng.sample([True, False], 2):
                started = time.perf_counter()
                answer = search(reader, alias, SearchRequest(q=text, page=1, size=10, group=group))
                wall[group].append(time.perf_counter() - started)
                took[group].append(answer.took_ms)
        for group in (True, False):
            print(
                f"group={str(group).lower():5} median wall {1000 * statistics.median(wall[group]):7.1f} ms"
                f"  median took {statistics.median(took[group]):6.1f} ms"
                f"  ({len(wall[group])} queries, {len(docs)} docs)"
            )
        print(f"grouped / ungrouped, median wall: {statistics.median(wall[True]) / statistics.median(wall[False]):.2f}")
    finally:
        client.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)


if __name__ == "__main__":
    main()
