"""Hybrid search's parts: what joins from the dense side, the fusion, the dense query's filters, the fallbacks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from docsearch.errors import EngineRejected
from docsearch.search.hybrid import (
    DENSE_MIN_COSINE,
    DENSE_WEIGHT,
    MAX_ADMITTED,
    Ranked,
    admitted,
    dense_body,
    embedded_text,
    fuse,
    hybrid_answers,
    ids_only,
    normalised,
    relative,
)
from docsearch.search.models import SearchRequest
from docsearch.search.parse import parse_query
from docsearch.search.query import build_search
from docsearch.search.run import search


def _ranks(*keys: str, score: float = 0.9) -> list[Ranked]:
    return [Ranked(key=key, id=key, score=score) for key in keys]


def _scored(*pairs: tuple[str, float]) -> list[Ranked]:
    return [Ranked(key=key, id=key, score=score) for key, score in pairs]


def test_nothing_joins_when_the_models_best_match_is_a_lexical_match() -> None:
    # "dana": the model puts the dana article first and "Perdana Menteri" second: no dense-only result.
    assert admitted(_ranks("dana-desa"), _ranks("dana-desa", "perdana-menteri")) == []


def test_documents_the_model_ranks_above_every_lexical_match_join_if_close_enough() -> None:
    dense = [
        Ranked("menteri-keuangan", "menteri-keuangan", 0.86),
        Ranked("far", "far", DENSE_MIN_COSINE - 0.01),
        Ranked("garuda-airline", "garuda-airline", 0.85),
        Ranked("after", "after", 0.9),
    ]
    joined = admitted(_ranks("garuda-airline"), dense)
    assert [item.key for item in joined] == ["menteri-keuangan"]  # "far" is too far, "after" below a lexical match


def test_only_the_models_best_few_join() -> None:
    """ "khawatir" on the real archive: the model put 44 articles without the word above its first word match."""
    dense = _ranks(*[f"near-{n}" for n in range(44)], "holds-the-word", score=0.82)
    joined = admitted(_ranks("holds-the-word"), dense)
    assert [item.key for item in joined] == [f"near-{n}" for n in range(MAX_ADMITTED)]


def test_fusion_keeps_lexical_order_when_both_agree_and_lets_meaning_reorder_when_they_do_not() -> None:
    words = _scored(("a", 12.0), ("b", 11.0), ("c", 4.0))
    same = fuse(words, _scored(("a", 0.90), ("b", 0.88), ("c", 0.80)), [])
    assert [item.key for item, _ in same] == ["a", "b", "c"]
    # "b" is a near-tie with "a" for the words and clearly closer in meaning: it moves up. "c" is far behind
    # for the words, and the model's preference does not lift it over both. "x" was not admitted: never fused.
    reordered = fuse(words, _scored(("x", 0.95), ("b", 0.90), ("c", 0.86), ("a", 0.80)), [])
    assert [item.key for item, _ in reordered] == ["b", "a", "c"]
    scores = [score for _, score in reordered]
    assert scores == sorted(scores, reverse=True) and scores[0] <= 1.0
    joined = fuse(_scored(("a", 3.0)), _scored(("x", 0.9), ("a", 0.85)), _scored(("x", 0.9)))
    assert {item.key for item, _ in joined} == {"a", "x"}


def test_scores_are_scaled_per_side_so_neither_scale_dominates() -> None:
    assert normalised(_scored(("a", 30.0), ("b", 20.0), ("c", 10.0))) == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert normalised(_scored(("a", 7.0), ("b", 7.0))) == {"a": 1.0, "b": 1.0}  # a tie: no side wins by it
    assert normalised([]) == {}
    # BM25 in the tens and cosines near 0.8 weigh alike: the lexical side keeps its share, 1 - DENSE_WEIGHT.
    fused = dict((item.key, score) for item, score in fuse(_scored(("a", 40.0), ("b", 10.0)), [], []))
    assert fused == {"a": pytest.approx(1 - DENSE_WEIGHT), "b": pytest.approx((1 - DENSE_WEIGHT) / 4)}


def test_the_weakest_word_match_keeps_its_credit_against_what_only_the_model_found() -> None:
    """Words scaled min-max gave the last word match 0, as if no word matched, and an admitted document went
    above it (khawatir: the second article holding the word fell under three that lack it)."""
    assert relative(_scored(("a", 10.0), ("b", 8.0))) == {"a": 1.0, "b": 0.8}
    assert relative([]) == {}
    lexical = _scored(("a", 10.0), ("b", 8.0))
    dense = _scored(("x", 0.81), ("b", 0.80), ("a", 0.79))
    order = [item.key for item, _ in fuse(lexical, dense, admitted(lexical, dense))]
    assert order == ["b", "a", "x"]


def test_a_story_counts_once_and_keeps_the_lexical_sides_document() -> None:
    lexical = [Ranked("story-1", "doc-a"), Ranked("story-2", "doc-b")]
    dense = [Ranked("story-2", "doc-c", 0.9), Ranked("story-1", "doc-d", 0.9)]
    fused = fuse(lexical, dense, [])
    assert sorted(item.id for item, _ in fused) == ["doc-a", "doc-b"]


def test_the_dense_query_keeps_every_filter_exclusion_and_phrase_of_the_lexical_one() -> None:
    request = SearchRequest(
        q='banjir "Kampung Melayu" -Bekasi', source=["Kompas"], date_from="2024-01-01", mode="hybrid"
    )
    lexical = build_search(request)
    parsed = parse_query(request.q)
    body = dense_body(request, lexical, parsed, [0.1] * 384, 50)
    knn = body["query"]["knn"]["embedding"]
    restrict = json.dumps(knn["filter"])
    assert knn["k"] == 50 and body["size"] == 50 and len(knn["vector"]) == 384
    assert '"deleted": true' in restrict and "Bekasi" in restrict  # tombstones and exclusions stay out
    assert "Kampung Melayu" in restrict and "published_at" in restrict and "source_key" in restrict
    assert body["collapse"] == lexical["collapse"]  # one result per story, as lexical
    assert embedded_text(parsed) == "banjir Kampung Melayu"  # the exclusion is not embedded


def test_a_query_of_codes_alone_is_not_embedded() -> None:
    for q in ("zq3ceb3ffd3", '"123/PID.B/2024" B1234XYZ', "2024 -banjir"):
        assert embedded_text(parse_query(q)) == "", q  # every word holds a digit: answered by the words
    assert embedded_text(parse_query("pemilu 2024")) == "pemilu 2024"
    assert embedded_text(parse_query('"putusan MK" 90/PUU-XXI/2023')) == "90/PUU-XXI/2023 putusan MK"


def test_the_lexical_side_is_read_relevance_ranked_ids_only() -> None:
    lexical = build_search(SearchRequest(q="banjir", sort="newest", page=3, size=10))
    body = ids_only(lexical, 50)
    assert body["from"] == 0 and body["size"] == 50 and body["_source"] is False
    assert "sort" not in body and "highlight" not in body and body["aggs"] == lexical["aggs"]


class _Embedder:
    name = "fake"
    dimensions = 3

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        return [[1.0, 0.0, 0.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        if self.fail:
            raise RuntimeError("model failed")
        return [1.0, 0.0, 0.0]


class _Client:
    """Answers every search with one hit; refuses k-NN searches when told to."""

    def __init__(self, refuse_knn: bool = False, serverless: bool = False) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.refuse_knn = refuse_knn
        self.serverless = serverless

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append(body)
        if self.refuse_knn and "knn" in json.dumps(body.get("query", {})):
            raise EngineRejected(400, "no such field [embedding]")
        hit = {"_id": "d1", "_score": 0.95, "_source": {"key": "k", "title": "t"}}
        return {"took": 1, "hits": {"total": {"value": 1}, "hits": [hit]}}


@pytest.mark.parametrize(
    ("client", "embedder", "why"),
    [
        (_Client(), _Embedder(fail=True), "the model failed"),
        (_Client(refuse_knn=True), _Embedder(), "the index has no vector field yet"),
        (_Client(serverless=True), _Embedder(), "a Serverless search collection has no k-NN"),
        (_Client(), None, "no model is configured"),
    ],
)
def test_hybrid_answers_lexically_when_it_cannot_run(client: _Client, embedder: _Embedder | None, why: str) -> None:
    answer = search(client, "articles", SearchRequest(q="banjir", mode="hybrid", group=False), embedder=embedder)  # type: ignore[arg-type]
    assert answer.mode == "lexical", why
    assert [hit.id for hit in answer.results] == ["d1"]


def test_hybrid_mode_says_so_and_lexical_mode_never_embeds() -> None:
    client = _Client()
    answer = search(client, "articles", SearchRequest(q="banjir", mode="hybrid", group=False), embedder=_Embedder())  # type: ignore[arg-type]
    assert answer.mode == "hybrid" and [hit.id for hit in answer.results] == ["d1"]
    lexical = search(_Client(), "articles", SearchRequest(q="banjir", group=False), embedder=_Embedder(fail=True))  # type: ignore[arg-type]
    assert lexical.mode == "lexical"


class _Scripted:
    """Answers searches in order from a script of hit-id lists (the last one repeats), recording each body."""

    serverless = False

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.bodies: list[dict[str, Any]] = []

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append(body)
        ids = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        hits = [{"_id": i, "_score": 1.0 - n / 10, "_source": {"key": i, "title": i}} for n, i in enumerate(ids)]
        return {"took": 1, "hits": {"total": {"value": len(hits)}, "hits": hits}}


def test_a_misspelt_query_keeps_its_relaxed_word_matches_in_hybrid_mode() -> None:
    """ "Jiroma Powell": the words as typed match nothing; the relaxed query finds the Powell articles, and those
    are what the model's ranking is fused with (not the model's nearest articles alone)."""
    request = SearchRequest(q="Jiroma Powell", mode="hybrid", group=False)
    strict, relaxed = build_search(request), build_search(request, relaxed=True)
    client = _Scripted([], ["powell-1", "powell-2"], ["powell-2", "powell-1"], ["powell-1", "powell-2"])
    answer = hybrid_answers(client, request, "articles", strict, parse_query(request.q), [0.1] * 3, lambda: relaxed)  # type: ignore[arg-type]
    assert answer.relaxed is True and answer.meaning is True
    assert client.bodies[1]["query"] == relaxed["query"]  # the second lexical look is the relaxed query
    assert {hit["_id"] for hit in answer.response["hits"]["hits"]} == {"powell-1", "powell-2"}
    # Words that match as typed are never relaxed.
    client = _Scripted(["powell-1"], ["powell-1"], ["powell-1"])
    again = hybrid_answers(client, request, "articles", strict, parse_query(request.q), [0.1] * 3, lambda: relaxed)  # type: ignore[arg-type]
    assert again.relaxed is False and client.bodies[1]["query"]["knn"]
    # No vectors under the filters (an index not yet filled): the words alone ranked, and it says so.
    client = _Scripted(["powell-1"], [], ["powell-1"])
    empty = hybrid_answers(client, request, "articles", strict, parse_query(request.q), [0.1] * 3, lambda: relaxed)  # type: ignore[arg-type]
    assert empty.meaning is False


def test_the_relaxed_query_is_built_only_when_the_words_match_nothing() -> None:
    request = SearchRequest(q="banjir", mode="hybrid", group=False)
    built: list[bool] = []

    def relaxed() -> dict[str, Any]:
        built.append(True)
        return build_search(request, relaxed=True)

    client = _Scripted(["d1"], ["d1"], ["d1"])
    hybrid_answers(client, request, "articles", build_search(request), parse_query(request.q), [0.1] * 3, relaxed)  # type: ignore[arg-type]
    assert built == []


def test_when_not_even_the_relaxed_words_match_the_model_is_not_asked() -> None:
    """Nothing the model finds may join a query no word matches (``admitted``), so its k-NN search is skipped."""
    request = SearchRequest(q="qwertyuiop", mode="hybrid", group=False)
    client = _Scripted([])
    strict, relaxed = build_search(request), build_search(request, relaxed=True)
    answer = hybrid_answers(client, request, "articles", strict, parse_query(request.q), [0.1] * 3, lambda: relaxed)  # type: ignore[arg-type]
    assert len(client.bodies) == 2 and not any("knn" in json.dumps(body) for body in client.bodies)
    assert answer.response["hits"]["hits"] == [] and answer.response["hits"]["total"]["value"] == 0
    assert answer.meaning is False and answer.relaxed is False


def test_a_relaxed_hybrid_answer_also_asks_for_a_suggestion() -> None:
    """ "Jiroma Powell" relaxed in hybrid mode found the Powell articles; the reader still gets "Mungkin maksud
    Anda", as in lexical mode (before, a relaxed answer of three or more articles in hybrid mode got none)."""
    client = _Scripted([], ["powell-1", "powell-2", "powell-3"], ["powell-1"])
    answer = search(client, "articles", SearchRequest(q="Jiroma Powell", group=False), embedder=_Embedder())  # type: ignore[arg-type]
    assert answer.relaxed and answer.mode == "hybrid"
    assert "suggest" in client.bodies[-1] and client.bodies[-1]["size"] == 0  # the last request: the suggester's
    again = _Scripted([], ["powell-1"], ["powell-1"])
    search(again, "articles", SearchRequest(q="Jiroma Powell", group=False, page=2), embedder=_Embedder())  # type: ignore[arg-type]
    assert not any("suggest" in body for body in again.bodies)  # page 2: the suggestion was on page 1


def test_a_query_whose_words_match_nothing_gets_nothing_from_the_model_either() -> None:
    """ "qwertyuiop": e5 puts archive articles at cosine 0.83 to it; with no word match, nothing joins."""
    assert admitted([], _ranks("nearest", "next", score=0.83)) == []
