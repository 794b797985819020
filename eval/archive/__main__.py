"""``python -m eval.archive [pool|ablation]``: the real-archive report, (``pool``) the unjudged pairs to judge, or
(``ablation``) the known-item ranking one change at a time."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from docsearch.embed import embedder_from_env
from docsearch.engine import build_client
from docsearch.search.client import SearchClient
from docsearch.settings import Settings
from docsearch_local.paths import stack_config
from eval.archive import ablation
from eval.archive.report import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", nargs="?", choices=("report", "pool", "ablation"), default="report")
    parser.add_argument("--no-hybrid", action="store_true", help="lexical mode only (no model is loaded)")
    parser.add_argument("--facqa", type=Path, help="with ablation: FacQA's folder, its sampled questions ranked too")
    parser.add_argument("--opensearch", default=os.environ.get("OPENSEARCH_URL") or stack_config().opensearch_url)
    args = parser.parse_args()
    settings = Settings(opensearch_url=args.opensearch, opensearch_timeout_s=120)
    embedder = None if args.no_hybrid else embedder_from_env()
    client, reader = build_client(settings), SearchClient.from_settings(settings)
    if args.action == "ablation":
        if embedder is None:
            parser.error("ablation ranks in hybrid mode: it needs the model")
        print(ablation.run(client, reader, embedder, args.facqa), flush=True)
        return
    print(run(client, reader, pool=args.action == "pool", embedder=embedder), flush=True)


if __name__ == "__main__":
    main()
