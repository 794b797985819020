"""Documents and queries are normalised alike: NFC, and invisible format characters (Unicode Cf) removed."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest

from docsearch.ingest.extract import extract_article
from docsearch.search.parse import parse_query
from docsearch.text import FORMAT_CHARS, normalize_text

INVISIBLE = "\u200b\u200e\u200f\u00ad\ufeff\u2060\u202a"


def test_the_format_character_table_is_exactly_unicode_category_cf() -> None:
    table = {cp for cp in range(sys.maxunicode + 1) if FORMAT_CHARS.fullmatch(chr(cp))}
    cf = {cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"}
    assert table == cf


def test_normalize_removes_invisible_characters_and_composes() -> None:
    assert normalize_text(f"Ko{INVISIBLE}rea Uta\u00adra e\u0301") == "Korea Utara é"


@pytest.mark.parametrize(
    ("key", "data"),
    [
        ("a.txt", "Ko\u200brea Uta\u200era\n\nWarga Ko\u00adrea Utara merayakan hari besar di ibu kota."),
        ("a.md", "# Ko&#8203;rea Utara\n\nWarga Ko&#x200B;rea Utara merayakan hari besar di ibu kota."),
        ("a.json", json.dumps({"title": "Ko\u200brea Utara", "body": "Warga Ko\u200frea Utara merayakan."})),
    ],
)
def test_documents_lose_invisible_characters_however_they_are_written(key: str, data: str) -> None:
    article = extract_article(data.encode(), key=key)
    assert article.title == "Korea Utara"
    assert "Korea Utara" in article.body and not FORMAT_CHARS.search(article.body)


def test_queries_lose_invisible_characters() -> None:
    parsed = parse_query(f"\u200bKorea{INVISIBLE} \u200eUtara\u200f")
    assert parsed.words == ["Korea", "Utara"]


@pytest.mark.parametrize("q", ["\U0001f30a", '"""', "-", "\u200b", "- \u200e -", '"" -""'])
def test_a_query_with_no_searchable_word_parses_empty(q: str) -> None:
    assert parse_query(q).is_empty
