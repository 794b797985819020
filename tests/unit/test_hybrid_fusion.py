"""Hybrid search's parts: what joins from the dense side, the fusion, the dense query's filters, the fallbacks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from docsearch.errors import EngineRejected
from docsearch.search.hybrid import (
    DENSE_MIN_COSINE,
    Ranked,
    admitted,
    dense_body,
    embedded_text,
    fuse,
    ids_only,
)
from docsearch.search.models import SearchRequest
from docsearch.search.parse import parse_query
from docsearch.search.query import build_search
from docsearch.search.run import search


def _ranks(*keys: str, cosine: float = 0.9) -> list[Ranked]:
    return [Ranked(key=key, id=key, cosine=cosine) for key in keys]


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


def test_fusion_keeps_lexical_order_when_both_agree_and_lets_meaning_reorder_when_they_do_not() -> None:
    same = fuse(_ranks("a", "b", "c"), _ranks("a", "b", "c"), [])
    assert [item.key for item, _ in same] == ["a", "b", "c"]
    reordered = fuse(_ranks("a", "b", "c"), _ranks("c", "b", "x"), [])
    # Two good ranks beat one first place; "x" was not admitted, so it is never fused in.
    assert [item.key for item, _ in reordered] == ["c", "b", "a"]
    joined = fuse(_ranks("a"), _ranks("x", "a"), _ranks("x"))
    assert {item.key for item, _ in joined} == {"a", "x"}
    scores = [score for _, score in reordered]
    assert scores == sorted(scores, reverse=True)


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
