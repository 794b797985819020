import pytest

from docsearch.search.models import SearchRequest
from docsearch.search.query import MARK_CLOSE, MARK_OPEN, build_search
from docsearch.search.results import safe_snippet, shape_response
from docsearch.settings import DEFAULT_DOCUMENT_VIEW_URL


def test_snippet_escapes_document_markup_but_keeps_marks() -> None:
    fragment = f'<script>alert("x")</script> & {MARK_OPEN}pakta{MARK_CLOSE}'
    assert safe_snippet(fragment) == ("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <mark>pakta</mark>")


def test_shape_response_maps_hits_and_facets() -> None:
    request = SearchRequest(q=" pakta ", size=5)
    response = {
        "took": 7,
        "hits": {
            "total": {"value": 1},
            "hits": [
                {
                    "_id": "abc",
                    "_score": 1.5,
                    "_source": {"key": "a.txt", "title": "Judul", "source": "contoh.id", "published_at": "2024-06-19"},
                    "highlight": {"body": [f"tentang {MARK_OPEN}pakta{MARK_CLOSE}"]},
                }
            ],
        },
        "aggregations": {"source": {"buckets": [{"key": "contoh.id", "doc_count": 1}]}},
    }
    shaped = shape_response(request, response)
    assert shaped.query == "pakta"
    assert shaped.total == 1 and shaped.took_ms == 7 and shaped.size == 5
    assert shaped.results[0].snippets == ["tentang <mark>pakta</mark>"]
    assert shaped.facets["source"][0].value == "contoh.id"


def test_paging_sets_from() -> None:
    body = build_search(SearchRequest(q="banjir", page=3, size=20))
    assert body["from"] == 40 and body["size"] == 20


def test_title_is_highlighted_and_escaped() -> None:
    request = SearchRequest(q="pakta")
    hit = {
        "_id": "abc",
        "_source": {"key": "a.txt", "title": "<b>Pakta</b> & Co"},
        "highlight": {"title": [f"<b>{MARK_OPEN}Pakta{MARK_CLOSE}</b> & Co"]},
    }
    shaped = shape_response(request, {"hits": {"total": {"value": 1}, "hits": [hit]}})
    assert shaped.results[0].title == "Pakta & Co"  # a plain-text field: tags stripped (issue 21)
    assert shaped.results[0].title_html == "<mark>Pakta</mark> &amp; Co"
    plain = shape_response(request, {"hits": {"hits": [{"_id": "x", "_source": {"title": "A & B"}}]}})
    assert plain.results[0].title_html == "A &amp; B"


def test_the_view_link_is_the_configured_one_and_not_the_environment_s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCUMENT_VIEW_URL", "https://elsewhere.example/{id}")  # the core reads Settings only
    hit = {"_id": "abc", "_score": 1.0, "_source": {"key": "a.txt", "title": "Judul"}}
    response = {"hits": {"total": {"value": 1}, "hits": [hit]}}
    configured = shape_response(SearchRequest(q="judul"), response, view_url="https://ruang.example/baca/{id}")
    assert configured.results[0].view == "https://ruang.example/baca/abc"
    assert shape_response(SearchRequest(q="judul"), response).results[0].view == DEFAULT_DOCUMENT_VIEW_URL.replace(
        "{id}", "abc"
    )
