"""Aliases on the real engine: the built-in list finds an official by title or abbreviation either way, and a
newsroom's own alias, written to S3 (the local emulator), works on the next search with no reindex."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.search.alias_store import AliasStore, S3ObjectFetcher
from docsearch.search.aliases import NO_ALIASES, AliasList
from docsearch.search.client import SearchClient
from docsearch.search.models import SearchRequest
from docsearch.search.run import search
from docsearch_cli.aliases import added, read_list, removed, write_list
from docsearch_local.paths import StackConfig
from tests.integration.corpora import text_corpus

pytestmark = pytest.mark.integration

ARTICLES = {
    "keuangan.txt": "Defisit Dijaga\n\nMenteri Keuangan memastikan defisit anggaran tetap di bawah tiga persen.",
    "menkeu.txt": "Menkeu Bicara Cukai\n\nMenkeu menyebut tarif cukai rokok tidak naik tahun depan.",
    "jabar.txt": "Dedi Mulyadi Tinjau Sungai\n\nGubernur Dedi Mulyadi meninjau normalisasi sungai di Bekasi, Selasa.",
    "mbg.txt": "Dapur Makan Bergizi Gratis Bertambah\n\nProgram makan bergizi gratis menjangkau sekolah di pelosok.",
    "naker.txt": "Wamenaker Sidak Pabrik\n\nWamenaker mendatangi pabrik garmen yang belum membayar upah buruh.",
}


@pytest.fixture(scope="module")
def corpus(engine: OpenSearch) -> Iterator[str]:
    with text_corpus(engine, "test-aliases", ARTICLES) as alias:
        yield alias


@pytest.fixture
def bucket(s3: Any) -> Iterator[str]:
    """A bucket of its own (no ingest notifications): the list written here never reaches the stack's index."""
    name = f"test-aliases-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name})
    yield name
    for obj in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=obj["Key"])
    s3.delete_bucket(Bucket=name)


def _keys(reader: SearchClient, alias: str, q: str, aliases: AliasList = NO_ALIASES) -> list[str]:
    return sorted(hit.key for hit in search(reader, alias, SearchRequest(q=q, group=False), aliases=aliases).results)


def _as_typed(reader: SearchClient, alias: str, q: str, aliases: AliasList) -> list[str]:
    """What the query finds with all its words (a relaxed answer, found by some of them, counts as nothing)."""
    response = search(reader, alias, SearchRequest(q=q, group=False), aliases=aliases)
    return [] if response.relaxed else sorted(hit.key for hit in response.results)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Menkeu", ["keuangan.txt", "menkeu.txt"]),
        ("Menteri Keuangan", ["keuangan.txt", "menkeu.txt"]),
        ("MBG", ["mbg.txt"]),
        ("wakil menteri ketenagakerjaan", ["naker.txt"]),
    ],
)
def test_built_in_aliases_find_either_way(reader: SearchClient, corpus: str, q: str, expected: list[str]) -> None:
    assert _keys(reader, corpus, q) == expected


def test_a_newsroom_alias_added_in_the_bucket_works_without_a_reindex(
    reader: SearchClient, corpus: str, s3: Any, bucket: str, local_stack: StackConfig
) -> None:
    fetch = S3ObjectFetcher(f"s3://{bucket}/_config/aliases.txt", local_stack.region, local_stack.aws_url)
    store = AliasStore(fetch, reload_s=0)
    assert _keys(reader, corpus, "KDM", store.current()) == []  # no list yet
    assert _as_typed(reader, corpus, "KDM Bekasi", store.current()) == []

    text, changed = added(read_list(s3, bucket), "KDM, Dedi Mulyadi")
    write_list(s3, bucket, text)
    assert changed
    assert _keys(reader, corpus, "KDM", store.current()) == ["jabar.txt"]
    assert _as_typed(reader, corpus, "KDM Bekasi", store.current()) == ["jabar.txt"]

    text, gone = removed(read_list(s3, bucket), "kdm")
    write_list(s3, bucket, text)
    assert gone == ["KDM, Dedi Mulyadi"]
    assert _keys(reader, corpus, "KDM", store.current()) == []


def test_an_unchanged_list_is_not_read_again(s3: Any, bucket: str, local_stack: StackConfig) -> None:
    write_list(s3, bucket, "KDM, Dedi Mulyadi\n")
    fetch = S3ObjectFetcher(f"s3://{bucket}/_config/aliases.txt", local_stack.region, local_stack.aws_url)
    first = fetch(None)
    assert first.text == "KDM, Dedi Mulyadi\n" and first.etag
    assert fetch(first.etag).unchanged  # S3's 304: nothing read
    write_list(s3, bucket, "KDM, Dedi Mulyadi\nWamenaker, Immanuel Ebenezer\n")
    assert "Immanuel" in fetch(first.etag).text
