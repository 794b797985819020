"""Query parsing and the query body: no user text reaches query_string, syntax never errors."""

import json

import pytest
from pydantic import ValidationError

from docsearch.search.models import MAX_RESULT_DEPTH, SearchRequest
from docsearch.search.parse import MAX_PARTS, parse_query
from docsearch.search.query import build_search


def test_parse_words_phrases_and_exclusions() -> None:
    parsed = parse_query('pakta "kapal selam" -Ukraina -"dana desa" Korea-Utara')
    assert parsed.words == ["pakta", "Korea-Utara"]
    assert parsed.phrases == ["kapal selam"]
    assert parsed.excluded == ["Ukraina", "dana desa"]


@pytest.mark.parametrize("text", ['"', '"""', "-", "--", "()[]{}^~*?:\\/", 'a"b', '"open phrase', "AND OR NOT"])
def test_syntax_characters_never_break_parsing(text: str) -> None:
    body = build_search(SearchRequest(q=text))
    assert "query_string" not in json.dumps(body)


def test_unbalanced_quote_makes_the_rest_a_phrase() -> None:
    assert parse_query('banjir "kampung melayu').phrases == ["kampung melayu"]


def test_query_string_is_never_used_and_tombstones_are_excluded() -> None:
    body = build_search(SearchRequest(q='x AND y:"z" -w'))
    text = json.dumps(body)
    assert "query_string" not in text and "simple_query_string" not in text
    assert {"term": {"deleted": True}} in body["query"]["bool"]["must_not"]


def test_only_exclusions_match_everything_else() -> None:
    body = build_search(SearchRequest(q="-banjir"))
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]


def test_filters_sort_and_paging() -> None:
    request = SearchRequest(q="banjir", page=3, size=20, source=["a.id", "b.id"], sort="newest")
    body = build_search(request)
    assert body["from"] == 40 and body["size"] == 20
    keys = ["a.id", "b.id"]
    assert body["post_filter"] == {
        "bool": {"should": [{"terms": {"source_key": keys}}, {"terms": {"outlet_key": keys}}]}
    }
    assert body["sort"][0] == {"published_at": {"order": "desc", "missing": "_last"}}


def _date_filters(**params: str) -> list[dict[str, object]]:
    return build_search(SearchRequest(q="banjir", **params))["query"]["bool"]["filter"]


def test_a_date_filter_leaves_undated_articles_out_unless_asked_to_keep_them() -> None:
    in_range = {"range": {"published_at": {"format": "yyyy-MM-dd", "gte": "2025-10-01"}}}
    undated = {"bool": {"must_not": {"exists": {"field": "published_at"}}}}
    assert in_range in _date_filters(date_from="2025-10-01")
    assert {"bool": {"should": [in_range, undated]}} in _date_filters(date_from="2025-10-01", undated="include")
    assert {"exists": {"field": "published_at"}} in _date_filters(undated="exclude")
    assert not any("published_at" in json.dumps(f) for f in _date_filters())
    with pytest.raises(ValidationError, match="undated"):
        SearchRequest(q="banjir", undated="sometimes")


def test_deep_paging_is_refused() -> None:
    with pytest.raises(ValidationError, match=str(MAX_RESULT_DEPTH)):
        SearchRequest(q="banjir", page=MAX_RESULT_DEPTH // 10 + 1, size=10)


def test_inverted_date_range_is_refused() -> None:
    with pytest.raises(ValidationError, match="date_from"):
        SearchRequest(q="banjir", date_from="2024-05-01", date_to="2024-04-01")


def test_parts_beyond_the_limit_are_ignored() -> None:
    parsed = parse_query(" ".join(f"kata{n}" for n in range(100)) + ' "akhir" -buang')
    assert len(parsed.words) == MAX_PARTS and not parsed.phrases and not parsed.excluded
