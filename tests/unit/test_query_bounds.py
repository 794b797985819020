"""Query cost bounds in the search body: repeated words collapsed, typo tolerance only where it is cheap,
an engine-side time budget whose expiry the response reports as ``partial``."""

from __future__ import annotations

import json

from docsearch.search.models import SearchRequest
from docsearch.search.parse import parse_query
from docsearch.search.query import MAX_FUZZY_WORDS, SEARCH_TIMEOUT, build_search
from docsearch.search.results import shape_response


def _fuzzy_clauses(q: str) -> int:
    return json.dumps(build_search(SearchRequest(q=q))["query"]).count('"fuzziness"')


def test_repeated_words_count_once() -> None:
    assert parse_query("banjir Banjir BANJIR banjir -hoaks -Hoaks").words == ["banjir"]
    assert parse_query("banjir Banjir -hoaks -Hoaks").excluded == ["hoaks"]


def test_typo_tolerance_is_kept_for_short_queries_and_dropped_for_many_long_words() -> None:
    assert _fuzzy_clauses("Vladmir Putin") == 1
    assert _fuzzy_clauses(" ".join(f"kata{n}panjang" for n in range(MAX_FUZZY_WORDS))) == 1
    assert _fuzzy_clauses(" ".join(f"kata{n}panjang" for n in range(32))) == 0
    assert _fuzzy_clauses("apa itu dana desa untuk warga kota Pyongyang") == 1  # short words take no edit


def test_the_engine_gets_a_time_budget_and_its_expiry_is_reported() -> None:
    request = SearchRequest(q="banjir")
    assert build_search(request)["timeout"] == SEARCH_TIMEOUT
    timed_out = {"timed_out": True, "took": 1000, "hits": {"total": {"value": 0}, "hits": []}}
    assert shape_response(request, timed_out).partial is True
    assert shape_response(request, {"timed_out": False}).partial is False


def test_a_query_with_nothing_searchable_matches_nothing() -> None:
    assert build_search(SearchRequest(q="\U0001f30a"))["query"]["bool"]["must"] == [{"match_none": {}}]
