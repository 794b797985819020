"""Search behaviour on the real engine: query understanding, analysis, filters, snippets, documents."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from opensearchpy import OpenSearch, helpers

from docsearch.errors import DocumentNotFound
from docsearch.index.definition import ensure_index
from docsearch.search.client import SearchClient
from docsearch.search.documents import get_document
from docsearch.search.models import SearchRequest, SearchResponse
from docsearch.search.run import search
from eval.corpus import sample_set

pytestmark = pytest.mark.integration

SOURCES = {"01": "sigapwarta.id", "02": "cakrawalaharian.id", "09": "arahkabar.id"}
DATES = {"01": "2024-06-19", "02": "2024-11-05", "03": "2024-03-20", "09": "2025-04-10", "06": "2025-03-04"}
TOMBSTONE = "tombstone-korut"


@pytest.fixture(scope="module")
def samples(engine: OpenSearch) -> Iterator[str]:
    """The sample articles (through the real extraction) with some sources and dates, plus a tombstone."""
    alias = f"test-search-{uuid.uuid4().hex[:10]}"
    ensure_index(engine, alias)
    actions: list[dict[str, Any]] = []
    for doc in sample_set().docs:
        number = doc.id[:2]
        source = {"key": f"{doc.id}.txt", "title": doc.title, "body": doc.body, "author": "Redaksi"}
        source.update({"source": SOURCES.get(number), "source_key": SOURCES.get(number), "story": number})
        source["published_at"] = DATES.get(number)
        actions.append({"_index": alias, "_id": number, "_source": source})
    tombstone = {"key": "gone.txt", "title": "Korut Korea Utara", "body": "Korea Utara", "deleted": True}
    actions.append({"_index": alias, "_id": TOMBSTONE, "_source": tombstone})
    helpers.bulk(engine, actions, refresh=True)
    yield alias
    engine.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)


def _search(reader: SearchClient, alias: str, q: str, **params: Any) -> SearchResponse:
    return search(reader, alias, SearchRequest(q=q, **params))


def _ids(reader: SearchClient, alias: str, q: str, **params: Any) -> list[str]:
    return [hit.id for hit in _search(reader, alias, q, **params).results]


def test_abbreviation_finds_articles_that_only_spell_it_out(reader: SearchClient, samples: str) -> None:
    assert set(_ids(reader, samples, "Korut")) == {"01", "02"}  # neither says "Korut"; tombstone never returned
    assert _ids(reader, samples, "DK PBB")[0] == "02"  # "Dewan Keamanan Perserikatan Bangsa-Bangsa"
    assert _ids(reader, samples, "Korsel") == ["02"]
    assert "09" in _ids(reader, samples, "China")  # "Tiongkok"


def test_over_stemming_does_not_conflate_words(reader: SearchClient, samples: str) -> None:
    assert _ids(reader, samples, "dana") == ["04"]  # not "Perdana Menteri" (05)
    assert _ids(reader, samples, "perdana menteri")[0] == "05"
    assert "04" not in _ids(reader, samples, "perdana")
    assert _ids(reader, samples, "pesawat") == ["10"]


def test_stemming_relates_nasal_and_affixed_forms(reader: SearchClient, samples: str) -> None:
    assert _ids(reader, samples, "pilih")[0] == "03"  # memilih, pemilih
    assert _ids(reader, samples, "tulis")[0] == "12"  # menulis, penulis
    assert _ids(reader, samples, "menandatangani")[0] == "01"  # ditandatangani


def test_typos_still_find_the_article(reader: SearchClient, samples: str) -> None:
    assert _ids(reader, samples, "Vladmir Putin")[0] == "01"
    assert _ids(reader, samples, "Pyongyan")[0] in {"01", "02"}


def test_phrases_and_exclusions(reader: SearchClient, samples: str) -> None:
    assert _ids(reader, samples, '"pakta pertahanan"') == ["01"]
    assert _ids(reader, samples, '"pertahanan pakta"') == []
    assert _ids(reader, samples, "Korea Utara -Putin") == ["02"]


@pytest.mark.parametrize("q", ['"(Korut', "Korut AND OR NOT ~2 ^3 *", "a:b [c TO d] {x} /re/ \\", "-", '""'])
def test_syntax_characters_never_cause_an_error(reader: SearchClient, samples: str, q: str) -> None:
    _search(reader, samples, q)  # no exception is the point; results may be anything


def test_long_queries_stay_precise(reader: SearchClient, samples: str) -> None:
    ids = _ids(reader, samples, "Rusia Korea Utara pakta pertahanan Pyongyang Kim Jong Un")
    assert ids[0] == "01" and len(ids) <= 2


def test_exact_form_outranks_stemmed_form(engine: OpenSearch, reader: SearchClient, index_alias: str) -> None:
    ensure_index(engine, index_alias)
    docs = {"stemmed": "Ribuan warga datang untuk memilih.", "exact": "Ribuan pemilih datang ke tempat."}
    for doc_id, body in docs.items():
        engine.index(
            index=index_alias, id=doc_id, body={"key": doc_id, "title": "Berita", "body": body, "story": doc_id}
        )
    engine.indices.refresh(index=index_alias)
    assert _ids(reader, index_alias, "pemilih") == ["exact", "stemmed"]
    assert _ids(reader, index_alias, "memilih") == ["stemmed", "exact"]


def test_source_date_filters_sort_and_facets(reader: SearchClient, samples: str) -> None:
    both = _search(reader, samples, "Korea Utara", source=["sigapwarta.id", "cakrawalaharian.id"])
    assert {hit.id for hit in both.results} == {"01", "02"}
    one = _search(reader, samples, "Korea Utara", source=["cakrawalaharian.id"])
    assert [hit.id for hit in one.results] == ["02"]
    assert {facet.value: facet.count for facet in one.facets["source"]} == {"sigapwarta.id": 1, "cakrawalaharian.id": 1}
    dated = _ids(reader, samples, "Korea Utara", date_from="2024-07-01", date_to="2024-12-31")
    assert dated == ["02"]
    assert _ids(reader, samples, "Korea Utara", sort="oldest") == ["01", "02"]
    assert _ids(reader, samples, "Korea Utara", sort="newest") == ["02", "01"]


def test_paging(reader: SearchClient, samples: str) -> None:
    first = _search(reader, samples, "Jakarta", size=2)
    second = _search(reader, samples, "Jakarta", size=2, page=2)
    assert first.total == second.total > 4
    assert not {hit.id for hit in first.results} & {hit.id for hit in second.results}


def test_snippets_mark_stemmed_and_synonym_matches_and_escape_the_rest(reader: SearchClient, samples: str) -> None:
    [hit] = _search(reader, samples, "pilih").results[:1]
    joined = " ".join(hit.snippets)
    assert "<mark>memilih</mark>" in joined or "<mark>pemilih</mark>" in joined.lower()
    korut = {hit.id: hit for hit in _search(reader, samples, "Korut").results}
    assert "<mark>Korea Utara</mark>" in " ".join(korut["02"].snippets)  # the synonym's phrase, marked whole
    timnas = _search(reader, samples, "timnas bahrain").results[0]
    assert "<mark>Timnas</mark>" in timnas.title_html and "<mark>Bahrain</mark>" in timnas.title_html
    html = _search(reader, samples, "Ishiba").results[0]  # an HTML upload: its markup is escaped
    for snippet in [*html.snippets, html.title_html]:
        assert "<" not in snippet.replace("<mark>", "").replace("</mark>", "")


def test_document_lookup_and_tombstones(reader: SearchClient, samples: str) -> None:
    document = get_document(reader, samples, "03")
    assert document.key.startswith("03-") and "pemilih" in document.body and document.author == "Redaksi"
    with pytest.raises(DocumentNotFound):
        get_document(reader, samples, TOMBSTONE)
    with pytest.raises(DocumentNotFound):
        get_document(reader, samples, "nope")
    with pytest.raises(DocumentNotFound):
        get_document(reader, samples, "../_search?x" + "y" * 600)
