"""Forgiving search in the query body: two edits for long words, the relaxed second pass, the suggestion."""

from __future__ import annotations

import json
from typing import Any

from docsearch.search.models import SearchRequest
from docsearch.search.query import RELAXED_MINIMUM_SHOULD_MATCH, build_search
from docsearch.search.results import shape_response
from docsearch.search.suggest import (
    MAX_SUGGEST_WORDS,
    SUGGEST_BELOW,
    SUGGESTION,
    read_suggestion,
    suggestion_body,
    wants_suggestion,
)


def _edits(spec: str, letters: int) -> int:
    """What an ``AUTO:low,high`` fuzziness gives a word of ``letters`` letters."""
    low, high = (int(part) for part in spec.removeprefix("AUTO:").split(","))
    return 0 if letters < low else 1 if letters < high else 2


def _fuzzy(body: dict[str, Any]) -> dict[str, Any]:
    words = body["query"]["bool"]["must"][0]["bool"]["should"]
    return next(clause["multi_match"] for clause in words if "fuzziness" in clause["multi_match"])


def test_a_name_of_eight_letters_may_be_misspelt_twice() -> None:
    fuzzy = _fuzzy(build_search(SearchRequest(q="Bahlil Lahadila")))
    assert _edits(fuzzy["fuzziness"], len("Lahadila")) == 2
    assert _edits(fuzzy["fuzziness"], len("Mulyani")) == 1
    assert _edits(fuzzy["fuzziness"], len("dana")) == 0  # dana/data stay apart
    assert fuzzy["prefix_length"] == 1 and fuzzy["max_expansions"] == 10


def test_the_relaxed_pass_needs_any_one_word_and_forgives_more() -> None:
    strict = build_search(SearchRequest(q="Erick Tohar"))
    relaxed = build_search(SearchRequest(q="Erick Tohar"), relaxed=True)
    words = relaxed["query"]["bool"]["must"][0]["bool"]["should"]
    minimums = {c["multi_match"].get("minimum_should_match") for c in words[:2]}
    assert minimums == {RELAXED_MINIMUM_SHOULD_MATCH}
    assert {"term": {"body.exact": {"value": "ericktohar", "boost": 0.2}}} in words  # subwords: only when relaxed
    assert len(words) > 2 and len(strict["query"]["bool"]["must"][0]["bool"]["should"]) == 2
    assert _edits(_fuzzy(relaxed)["fuzziness"], len("Gonawen")) == 2
    assert _edits(_fuzzy(strict)["fuzziness"], len("Gonawen")) == 1
    assert _edits(_fuzzy(relaxed)["fuzziness"], len("Tohar")) == 0  # the cost bound counts the same words


def test_the_relaxed_pass_asks_for_longer_forms_and_compounds_joined_or_apart() -> None:
    words = build_search(SearchRequest(q="feodal Karangkancana"), relaxed=True)["query"]["bool"]["must"][0]["bool"]
    clauses = words["should"]
    assert {"prefix": {"body.exact": {"value": "feodal", "rewrite": "top_terms_10", "boost": 0.2}}} in clauses
    assert {"match_phrase": {"body.exact": {"query": "karang kancana", "boost": 0.2}}} in clauses
    assert {"term": {"title.exact": {"value": "feodalkarangkancana", "boost": 0.2}}} in clauses
    splits = [c for c in clauses if "match_phrase" in c and "title.exact" in c["match_phrase"]]
    assert len(splits) == len("karangkancana") - 7  # parts of four letters or more
    many = " ".join(f"kata{n}panjang" for n in range(8))
    assert len(build_search(SearchRequest(q=many), relaxed=True)["query"]["bool"]["must"][0]["bool"]["should"]) == 1


def test_the_relaxed_pass_keeps_phrases_and_exclusions() -> None:
    relaxed = build_search(SearchRequest(q='Erick Tohar "kapal selam" -BUMN'), relaxed=True)["query"]["bool"]
    assert {"multi_match": {"query": "kapal selam", "fields": ["title.exact^2", "body.exact"], "type": "phrase"}} in (
        relaxed["must"]
    )
    assert any(clause.get("multi_match", {}).get("query") == "BUMN" for clause in relaxed["must_not"])


def _engine(total: int) -> dict[str, Any]:
    return {"hits": {"total": {"value": total}, "hits": []}}


def test_a_suggestion_is_wanted_only_for_few_results_on_the_first_page() -> None:
    assert wants_suggestion(SearchRequest(q="Bahlil Lahadila"), _engine(0))
    assert wants_suggestion(SearchRequest(q="Bahlil Lahadila"), _engine(SUGGEST_BELOW - 1))
    assert not wants_suggestion(SearchRequest(q="Bahlil Lahadila"), _engine(SUGGEST_BELOW))
    assert not wants_suggestion(SearchRequest(q="Bahlil Lahadila", page=2), _engine(0))
    assert not wants_suggestion(SearchRequest(q='"kapal selam"'), _engine(0))  # only words are spelt out


def test_the_suggester_reads_unstemmed_words_and_allows_two_edits() -> None:
    body = suggestion_body(SearchRequest(q='Bahlil Lahadila "sumber daya" -tambang'))
    assert body["size"] == 0 and body["query"] == {"match_none": {}}
    assert body["suggest"]["text"] == "Bahlil Lahadila"
    phrase = body["suggest"][SUGGESTION]["phrase"]
    assert phrase["field"] == "body.exact" and phrase["direct_generator"][0]["max_edits"] == 2
    assert "size" not in suggestion_body(SearchRequest(q="x"), size=False)
    assert suggestion_body(SearchRequest(q=" ".join(f"kata{n}" for n in range(MAX_SUGGEST_WORDS + 1)))) == {}


def _suggested(text: str, highlighted: str) -> dict[str, Any]:
    return {
        **_engine(0),
        "suggest": {SUGGESTION: [{"text": "", "options": [{"text": text, "highlighted": highlighted}]}]},
    }


def test_the_suggestion_keeps_phrases_exclusions_and_capitals_and_is_escaped() -> None:
    request = SearchRequest(q='Bahlil Lahadila "sumber daya" -tambang')
    suggestion = read_suggestion(request, _suggested("bahlil lahadalia", "bahlil \ue000lahadalia\ue001"))
    assert suggestion is not None
    assert suggestion.text == 'Bahlil Lahadalia "sumber daya" -tambang'
    assert suggestion.html == "Bahlil <mark>Lahadalia</mark> &quot;sumber daya&quot; -tambang"
    hostile = read_suggestion(SearchRequest(q="a <b>"), _suggested("<script>", "\ue000<script>\ue001"))
    assert hostile is not None and "<script>" not in hostile.html


def test_no_suggestion_when_it_is_what_was_typed_or_there_is_none() -> None:
    request = SearchRequest(q="Bahlil Lahadalia")
    assert read_suggestion(request, _suggested("bahlil lahadalia", "bahlil lahadalia")) is None
    assert read_suggestion(request, _engine(0)) is None


def test_the_response_says_relaxed_and_carries_the_suggestion() -> None:
    request = SearchRequest(q="Bahlil Lahadila")
    response = shape_response(request, _suggested("bahlil lahadalia", "bahlil \ue000lahadalia\ue001"), relaxed=True)
    assert response.relaxed is True
    assert response.suggestion is not None and response.suggestion.text == "Bahlil Lahadalia"
    assert json.loads(shape_response(request, _engine(3)).model_dump_json())["suggestion"] is None


def test_the_cli_shows_the_suggestion_the_relaxed_answer_and_each_copy() -> None:
    from docsearch_cli.render import search_results

    copy = {"id": "c1", "title": "Judul Salinan", "source": "Tempo", "published_at": "2025-05-02", "view": "v"}
    hit = {"id": "a", "title": "Judul", "snippets": [], "more_copies": 1, "copies": [copy], "story": "p123"}
    suggestion = {"text": "Bahlil Lahadalia", "html": "Bahlil <mark>Lahadalia</mark>"}
    answer = {"query": "Bahlil Lahadila", "total": 1, "results": [hit], "relaxed": True, "suggestion": suggestion}
    text = "\n".join(line.plain for line in search_results(answer))
    assert "Mungkin maksud Anda: Bahlil Lahadalia" in text and "<mark>" not in text
    assert "No result holds all the words" in text
    assert "--story p123" in text and "Tempo · 2025-05-02 · Judul Salinan" in text
    empty = "\n".join(line.plain for line in search_results({**answer, "results": [], "total": 0}))
    assert "Mungkin maksud Anda: Bahlil Lahadalia" in empty
