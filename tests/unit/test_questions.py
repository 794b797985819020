"""Question-style queries are told apart from keyword queries and ranked without the minimum-should-match."""

import pytest

from docsearch.search.models import SearchRequest
from docsearch.search.parse import parse_query
from docsearch.search.query import (
    ANSWERS_AGG,
    MINIMUM_SHOULD_MATCH,
    QUESTION_COUNT_MINIMUM,
    QUESTION_MINIMUM_SHOULD_MATCH,
    build_search,
)
from docsearch.search.questions import content_words, is_question, question_content
from docsearch.search.results import shape_response


@pytest.mark.parametrize(
    "text",
    [
        "Dimanakah letak Pyongyang?",
        "Di mana Putin dan Kim menandatangani pakta",
        "siapa pelatih timnas",
        "Berapa persen partisipasi pemilih",
        "Mengapa harga beras naik",
        "Apakah warna pasir pantai Baturumah",
        "Benarkah Jepang menghibahkan kapal patroli",
        "pakta pertahanan?",
    ],
)
def test_questions_are_recognised(text: str) -> None:
    assert is_question(text, parse_query(text).words)


@pytest.mark.parametrize(
    "text", ["pakta pertahanan", "dana desa", "langkah KPK", "menikah di Bali", "sanksi Korut", "manajemen risiko"]
)
def test_keyword_queries_are_not_questions(text: str) -> None:
    assert not is_question(text, parse_query(text).words)


def test_question_words_leave_the_ranked_text() -> None:
    assert question_content(["Dimanakah", "letak", "Pyongyang?"]) == "letak Pyongyang?"
    assert question_content(["Di", "mana", "Pyongyang"]) == "Di Pyongyang"
    assert question_content(["apa"]) == "apa"  # nothing else to search on: keep it
    words = ["siapa", "yang", "menjadi", "Gubernur", "di", "Jawa", "Barat?"]
    assert content_words(question_content(words)) == "menjadi Gubernur Jawa Barat?"


def test_function_words_are_never_highlighted() -> None:
    assert content_words("harga yang naik di pasar") == "harga naik pasar"
    assert content_words("yang di") == "yang di"  # nothing else: kept
    marked = build_search(SearchRequest(q='apa yang membuat harga naik "di pasar"'))["highlight"]["highlight_query"]
    queries = [clause["multi_match"]["query"] for clause in marked["bool"]["should"]]
    assert set(queries) == {"di pasar", "membuat harga naik"}  # a phrase as typed; the words without "apa", "yang"


def _minimums(body: dict[str, object]) -> list[object]:
    words = body["query"]["bool"]["must"][0]["bool"]["should"]  # type: ignore[index]
    return [clause["multi_match"].get("minimum_should_match") for clause in words]


def test_keywords_keep_the_minimum_and_questions_drop_it() -> None:
    assert _minimums(build_search(SearchRequest(q="pakta pertahanan Pyongyang"))) == [MINIMUM_SHOULD_MATCH] * 2
    assert QUESTION_MINIMUM_SHOULD_MATCH is None
    assert _minimums(build_search(SearchRequest(q="Dimanakah letak Pyongyang?"))) == [None, None]


def test_a_question_counts_the_articles_holding_half_its_content_words() -> None:
    body = build_search(SearchRequest(q="siapa yang menjadi Gubernur Jawa Barat?", source=["detik.com"]))
    counted = body["aggs"][ANSWERS_AGG]["filter"]["bool"]["filter"]
    assert counted[0]["multi_match"]["query"] == "menjadi Gubernur Jawa Barat?"
    assert counted[0]["multi_match"]["minimum_should_match"] == QUESTION_COUNT_MINIMUM == "50%"
    assert counted[1] == body["post_filter"]  # counted under the same source filter as the hits
    assert ANSWERS_AGG not in build_search(SearchRequest(q="Gubernur Jawa Barat"))["aggs"]  # keywords: hits total


def _answered(hits: int, answers: int) -> dict[str, object]:
    return {"hits": {"total": {"value": hits}, "hits": []}, "aggregations": {ANSWERS_AGG: {"doc_count": answers}}}


def test_a_questions_total_is_its_answers_and_loose_when_there_are_none() -> None:
    request = SearchRequest(q="siapa yang menjadi Gubernur Jawa Barat?")
    counted = shape_response(request, _answered(975, 4))
    assert (counted.total, counted.relaxed) == (4, False)
    loose = shape_response(request, _answered(975, 0))
    assert (loose.total, loose.relaxed) == (975, True)
    keywords = shape_response(SearchRequest(q="Gubernur"), {"hits": {"total": {"value": 12}, "hits": []}})
    assert (keywords.total, keywords.relaxed) == (12, False)
