"""`make demo`: upload the sample articles to the local bucket, wait until they are searchable, search."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import requests

from docsearch_local.aws_resources import clients
from docsearch_local.paths import StackConfig, stack_config
from docsearch_local.timing import wait_until

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "articles"
QUERIES = ["pakta pertahanan", "khawatir", "Korut", '"Dewan Keamanan"', "banjir -Bekasi", "pemilih"]
WAIT_S = 60


def upload(config: StackConfig) -> list[str]:
    s3, _ = clients(config)
    keys = []
    for path in sorted(SAMPLES.iterdir()):
        key = f"samples/{path.name}"
        s3.put_object(Bucket=config.bucket, Key=key, Body=path.read_bytes())
        keys.append(key)
    return keys


def wait_searchable(config: StackConfig, keys: list[str]) -> int:
    found = 0

    def all_found() -> bool:
        nonlocal found
        found = _count_keys(config, keys)
        return found == len(keys)

    with contextlib.suppress(TimeoutError):
        wait_until(all_found, "the samples searchable", WAIT_S, interval_s=1)
    return found


def _count_keys(config: StackConfig, keys: list[str]) -> int:
    engine = config.engine()
    if not engine.indices.exists_alias(name=config.index_alias):
        return 0
    engine.indices.refresh(index=config.index_alias)
    body = {"query": {"terms": {"key": keys}}}
    return int(engine.count(index=config.index_alias, body=body)["count"])


def show(config: StackConfig, query: str) -> None:
    answer = requests.get(f"{config.api_url}/search", params={"q": query, "size": "3"}, timeout=10).json()
    print(f"\n\033[1m? {query}\033[0m  ({answer.get('total', 0)} hits, {answer.get('took_ms')} ms)")
    for rank, hit in enumerate(answer.get("results", []), 1):
        print(f"  {rank}. {hit['title']}  [{hit['key']}]  score={hit['score']:.2f}")
        for snippet in hit["snippets"][:1]:
            print("     … " + " ".join(snippet.split()) + " …")


def main() -> int:
    config = stack_config()
    keys = upload(config)
    print(f"uploaded {len(keys)} sample articles to s3://{config.bucket}/samples/")
    found = wait_searchable(config, keys)
    print(f"{found}/{len(keys)} searchable")
    for query in QUERIES:
        show(config, query)
    print(
        f"\nThe stack is still running. Try:\n"
        f"  curl -s '{config.api_url}/search?q=pakta+pertahanan' | python3 -m json.tool\n"
        f"  curl -s '{config.api_url}/health'\n"
        f"Upload your own: AWS_ENDPOINT_URL={config.aws_url} aws s3 cp article.txt s3://{config.bucket}/\n"
        f"Stop it with: make down   (make status shows each part and its log)"
    )
    return 0 if found == len(keys) else 1


if __name__ == "__main__":
    sys.exit(main())
