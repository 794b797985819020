"""A messy scraped article through the whole local stack: its boilerplate is not searchable, its content is."""

import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from docsearch_local.paths import StackConfig
from tests.support import eventually

pytestmark = pytest.mark.e2e
DEADLINE_S = 30

# Placeholders {content}, {related}, {trending} become words no other document has.
MESSY = (Path(__file__).parent.parent / "fixtures" / "articles" / "messy-nelayan.txt").read_text(encoding="utf-8")


def _search(config: StackConfig, q: str) -> dict[str, Any]:
    answer: dict[str, Any] = requests.get(f"{config.api_url}/search", params={"q": q, "size": 50}, timeout=10).json()
    return answer


def test_boilerplate_of_a_messy_article_is_not_searchable(local_stack: StackConfig) -> None:
    s3 = boto3.client("s3", endpoint_url=local_stack.aws_url, region_name=local_stack.region)
    tag = uuid.uuid4().hex[:8]
    content, related, trending = f"zqisi{tag}", f"zqbaca{tag}", f"zqpopuler{tag}"
    key = f"e2e-messy/{tag}/nelayan.txt"
    s3.put_object(
        Bucket=local_stack.bucket,
        Key=key,
        Body=MESSY.format(content=content, related=related, trending=trending).encode(),
    )
    eventually(lambda: _search(local_stack, content)["total"] == 1, "the article's content searchable")
    [hit] = _search(local_stack, content)["results"]
    assert hit["key"] == key
    assert hit["title"] == f"Nelayan {content} Panen Ikan Tongkol, Harga di Pelelangan Turun"
    assert _search(local_stack, f"tongkol {content}")["total"] == 1
    # The related-link line, the trending list and the comment prompt were never indexed.
    assert _search(local_stack, related)["total"] == 0
    assert _search(local_stack, trending)["total"] == 0
    for words in ("tulis komentar", "sinetron pernikahan", "sepatu lari promo"):
        assert all(result["key"] != key for result in _search(local_stack, words)["results"]), words

    s3.put_object(
        Bucket=local_stack.bucket, Key=key, Body=f"Nelayan Libur\nCuaca buruk, {related} tidak melaut.".encode()
    )
    eventually(lambda: _search(local_stack, related)["total"] == 1, "the replaced version searchable")
    assert _search(local_stack, content)["total"] == 0
    s3.delete_object(Bucket=local_stack.bucket, Key=key)
    eventually(lambda: _search(local_stack, related)["total"] == 0, "the deleted article gone")
