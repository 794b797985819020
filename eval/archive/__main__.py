"""``python -m eval.archive [pool]``: the real-archive report, or (``pool``) the unjudged pairs to judge."""

from __future__ import annotations

import argparse
import os

from docsearch.embed import embedder_from_env
from docsearch.engine import build_client
from docsearch.search.client import SearchClient
from docsearch.settings import Settings
from docsearch_local.paths import stack_config
from eval.archive.report import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", nargs="?", choices=("report", "pool"), default="report")
    parser.add_argument("--no-hybrid", action="store_true", help="lexical mode only (no model is loaded)")
    parser.add_argument("--opensearch", default=os.environ.get("OPENSEARCH_URL") or stack_config().opensearch_url)
    args = parser.parse_args()
    settings = Settings(opensearch_url=args.opensearch, opensearch_timeout_s=120)
    embedder = None if args.no_hybrid else embedder_from_env()
    client, reader = build_client(settings), SearchClient.from_settings(settings)
    print(run(client, reader, pool=args.action == "pool", embedder=embedder), flush=True)


if __name__ == "__main__":
    main()
