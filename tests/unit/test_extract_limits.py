"""Parser limits and keyword bounds in extraction: the same bytes can never succeed, so they are a skip."""

from __future__ import annotations

import json

import pytest

from docsearch.ingest.extract import MAX_NAME_CHARS, Unindexable, extract_article
from docsearch.ingest.extract.metadata import MAX_URL_CHARS


def _json(**fields: object) -> bytes:
    return json.dumps({"title": "Harga Beras Naik", "body": "Harga beras naik di pasar induk.", **fields}).encode()


@pytest.mark.parametrize(
    "data",
    [
        b'{"title": "a", "body": "b", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"title": "a", "body": "b", "x": ' + b"1" * 4_301 + b"}",
    ],
    ids=["nested", "long-integer"],
)
def test_json_past_a_parser_limit_is_parse_limit(data: bytes) -> None:
    with pytest.raises(Unindexable) as caught:
        extract_article(data, key="a.json")
    assert caught.value.reason == "parse_limit"


def test_names_are_cut_and_an_overlong_url_dropped() -> None:
    article = extract_article(
        _json(source="s" * 40_000, author="A" * 40_000, url="https://contoh.id/" + "x" * MAX_URL_CHARS), key="a.json"
    )
    assert article.source and set(article.source.lower()) == {"s"} and len(article.source) <= MAX_NAME_CHARS
    assert article.author == "A" * MAX_NAME_CHARS
    assert article.url is None
    kept = extract_article(_json(url="https://contoh.id/berita/1"), key="a.json")
    assert kept.url == "https://contoh.id/berita/1"


def test_metadata_overrides_are_bounded_too() -> None:
    article = extract_article(b"Judul\nIsi berita yang cukup panjang.", {"source": "m" * 5_000}, key="a.txt")
    assert article.source and set(article.source.lower()) == {"m"} and len(article.source) <= MAX_NAME_CHARS
