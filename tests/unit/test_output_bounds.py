"""What the API and the CLI return cannot be turned against their reader, nor outgrow the response budget."""

from __future__ import annotations

import io
import json
import sys
import unicodedata

from rich.text import Text

from docsearch.search.budget import RESPONSE_BUDGET_BYTES, TITLE_CHARS, fit, fit_document
from docsearch.search.models import Document, SearchHit, SearchRequest, SearchResponse
from docsearch.search.query import HIGHLIGHT_MAX_CHARS, MARK_CLOSE, MARK_OPEN, build_search
from docsearch.search.results import safe_snippet, shape_response
from docsearch.text import INVISIBLE_CHARS, normalize_text, strip_tags
from docsearch_cli import render


def test_invisible_characters_are_exactly_unicode_cf_and_co() -> None:
    table = {cp for cp in range(sys.maxunicode + 1) if INVISIBLE_CHARS.fullmatch(chr(cp))}
    wanted = {cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) in ("Cf", "Co")}
    assert table == wanted


def test_private_use_characters_are_removed_in_normalisation() -> None:
    assert normalize_text(f"Banjir {MARK_OPEN}di{MARK_CLOSE} kota\U000f0001\U0010fffd") == "Banjir di kota"


def test_tags_are_stripped_from_plain_text_and_a_comparison_is_not_a_tag() -> None:
    assert strip_tags("<b>Banjir</b> <script>alert(1)</script>di <a href='x'>Jakarta</a>") == (
        "Banjir alert(1) di Jakarta"
    )
    assert strip_tags("harga < 5 dan > 3") == "harga < 5 dan > 3"


def test_snippet_marks_stay_balanced_whatever_the_fragment_holds() -> None:
    assert safe_snippet(f"a {MARK_CLOSE}b{MARK_OPEN} c {MARK_OPEN}d") == "a b<mark> c d</mark>"
    assert safe_snippet(f"{MARK_OPEN}{MARK_OPEN}a{MARK_CLOSE}{MARK_CLOSE}") == "<mark>a</mark>"
    cut = safe_snippet(f"{MARK_OPEN}{'a' * 5000}{MARK_CLOSE}")
    assert cut.startswith("<mark>") and cut.endswith("</mark>") and len(cut) < 700


def _hit(doc_id: str, title: str) -> dict[str, object]:
    return {"_id": doc_id, "_source": {"key": f"{doc_id}.txt", "title": title}, "highlight": {"title": [title]}}


def test_a_page_of_giant_fields_is_capped_field_by_field() -> None:
    hits = [_hit(f"d{i}", "<i>Banjir</i> " + "x " * 4_000_000) for i in range(3)]
    shaped = shape_response(SearchRequest(q="banjir"), {"hits": {"total": {"value": 3}, "hits": hits}})
    for hit in shaped.results:
        assert len(hit.title) <= TITLE_CHARS and hit.title.startswith("Banjir x")
        assert len(hit.title_html) <= TITLE_CHARS and "<i>" not in hit.title_html
    assert len(shaped.model_dump_json()) < 20_000


def test_the_budget_trims_the_page_rather_than_exceed_it() -> None:
    big = "x" * 400_000  # as if a field escaped the caps: the fence still holds
    hits = [SearchHit(id=str(i), key="k", title=big) for i in range(10)]
    response = SearchResponse(query="q", total=10, page=1, size=10, took_ms=1, results=hits)
    fitted = fit(response)
    assert len(fitted.model_dump_json().encode()) <= RESPONSE_BUDGET_BYTES
    assert fitted.partial and 0 < len(fitted.results) < 10
    small = response.model_copy(update={"results": hits[:1]})
    assert fit(small) is small


def test_a_document_body_is_cut_to_the_budget() -> None:
    document = Document(id="a", key="k", title="t", body='\u00e9"' * 3_000_000)  # escaping doubles the quotes
    fitted = fit_document(document)
    assert len(fitted.model_dump_json().encode()) <= RESPONSE_BUDGET_BYTES and fitted.body_truncated


def test_the_engine_request_bounds_highlighting() -> None:
    highlight = build_search(SearchRequest(q="banjir"))["highlight"]
    assert highlight["max_analyzer_offset"] == HIGHLIGHT_MAX_CHARS
    assert highlight["fields"]["body"]["number_of_fragments"] == 3
    assert highlight["fields"]["body"]["fragment_size"] == 160


def test_cli_escapes_control_and_bidi_characters_in_every_line() -> None:
    key = "berita/\x1b]0;pwned\x07\x1b[2J\u202egnp.exe\x9b31m.txt"
    assert render.safe(key) == "berita/\\x1b]0;pwned\\x07\\x1b[2J\\u202egnp.exe\\x9b31m.txt"
    shown = render.safe_line(Text(key, style="bold")).plain
    assert not render.UNSAFE.search(shown) and "\\x1b[2J" in shown and "\\u202e" in shown
    out = io.StringIO()
    render.print_json({"key": key}, out)
    text = out.getvalue()
    assert not render.UNSAFE.search(text.replace("\n", ""))
    assert json.loads(text) == {"key": key}
