"""Question-style queries are told apart from keyword queries and ranked without the minimum-should-match."""

import pytest

from docsearch.search.models import SearchRequest
from docsearch.search.parse import parse_query
from docsearch.search.query import MINIMUM_SHOULD_MATCH, build_search
from docsearch.search.questions import is_question, question_content


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


def _minimums(body: dict[str, object]) -> list[object]:
    words = body["query"]["bool"]["must"][0]["bool"]["should"]  # type: ignore[index]
    return [clause["multi_match"].get("minimum_should_match") for clause in words]


def test_keywords_keep_the_minimum_and_questions_drop_it() -> None:
    assert _minimums(build_search(SearchRequest(q="pakta pertahanan Pyongyang"))) == [MINIMUM_SHOULD_MATCH] * 2
    assert _minimums(build_search(SearchRequest(q="Dimanakah letak Pyongyang?"))) == [None, None]
