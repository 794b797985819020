"""Query text on the real engine: normalised like documents (invisible characters), nothing searchable
finds nothing, repeated and many misspelt words stay cheap and answer normally."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from docsearch.search.client import SearchClient
from docsearch.search.models import SearchRequest, SearchResponse
from docsearch.search.run import search
from tests.integration.corpora import text_corpus

pytestmark = pytest.mark.integration

ARTICLES = {
    "korea.txt": "Korea Utara Uji Rudal\n\nPemerintah Korea Utara kembali menguji rudal balistik di lepas pantai.",
    # Invisible characters inside words, as copied from some web pages: found by plain queries all the same.
    "banjir.txt": "Ban\u200bjir Melan\u00adda Bekasi\n\nBan\u200bjir merendam ribuan rumah di Be\u200ekasi Senin.",
    "pasar.txt": "Harga Beras Naik\n\nHarga beras di pasar tradisional naik menjelang akhir tahun, kata pedagang.",
}


@pytest.fixture(scope="module")
def corpus(engine: OpenSearch) -> Iterator[str]:
    with text_corpus(engine, "test-bounds", ARTICLES) as alias:
        yield alias


def _search(reader: SearchClient, alias: str, q: str) -> SearchResponse:
    return search(reader, alias, SearchRequest(q=q))


def _keys(reader: SearchClient, alias: str, q: str) -> list[str]:
    return [hit.key for hit in _search(reader, alias, q).results]


@pytest.mark.parametrize("q", ["\U0001f30a", '"""', "-", "\u200b", "\u200e \u200f", '"" - ""'])
def test_a_query_with_no_searchable_word_finds_nothing(reader: SearchClient, corpus: str, q: str) -> None:
    response = _search(reader, corpus, q)
    assert response.total == 0 and response.results == []


def test_only_exclusions_still_mean_everything_else(reader: SearchClient, corpus: str) -> None:
    assert sorted(_keys(reader, corpus, "-banjir")) == ["korea.txt", "pasar.txt"]


def test_invisible_characters_in_a_query_do_not_hide_its_hits(reader: SearchClient, corpus: str) -> None:
    assert _keys(reader, corpus, "Ko\u200brea Uta\u200era") == ["korea.txt"]
    assert _keys(reader, corpus, "\ufeffrudal\u00ad") == ["korea.txt"]


def test_invisible_characters_in_a_document_do_not_hide_it(reader: SearchClient, corpus: str) -> None:
    assert _keys(reader, corpus, "banjir bekasi") == ["banjir.txt"]
    assert _keys(reader, corpus, "melanda") == ["banjir.txt"]


def test_a_repeated_word_answers_like_the_word(reader: SearchClient, corpus: str) -> None:
    assert _keys(reader, corpus, " ".join(["beras"] * 40)) == _keys(reader, corpus, "beras") == ["pasar.txt"]


def test_many_misspelt_long_words_answer_normally(reader: SearchClient, corpus: str) -> None:
    hostile = " ".join(["pemerinath", "balsitik", "tradisinoal", "menjeleang", "pedaagang", "ribauan"] * 5)
    response = _search(reader, corpus, hostile)
    assert response.partial is False and response.total >= 0
    # A quarter of the words is enough in a long query (no typo clause there), so one real word among
    # misspelt ones still finds its article.
    typos = " ".join(["pemerinath", "balsitik", "ribauan", "tradisinoal", "menjeleang"])
    assert _keys(reader, corpus, f"pasar {typos}") == ["pasar.txt"]
