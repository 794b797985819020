""" "Mungkin maksud Anda: …": a spelling suggestion from the index's own words, for a query that finds little.

The engine's phrase suggester over ``body.exact`` (unstemmed, so it proposes words as written in the
articles): each word of the query may be replaced by an indexed word up to two edits away (first letter
kept), and the whole is kept only if the index's word frequencies make it likelier than what was typed.
Asked only when the first page has fewer than ``SUGGEST_BELOW`` results (one more request, for queries
that need it), together with the relaxed query when there were none (``run.py``).
"""

from __future__ import annotations

import html
import re
from typing import Any

from docsearch.search.models import SearchRequest, Suggestion
from docsearch.search.parse import ParsedQuery, parse_query
from docsearch.search.query import MARK_CLOSE, MARK_OPEN

SUGGESTION = "spelling"
SUGGEST_FIELD = "body.exact"
# Fewer results than this and the reader may have mistyped: three covers "nothing", a stray match of one
# misspelt word, and a name's two mentions; a query that finds more has found what it is about.
SUGGEST_BELOW = 3
MAX_EDITS = 2  # the suggester's maximum; a name misspelt twice ("Lahadila") needs both
MIN_WORD_LETTERS = 4  # shorter words are left as typed (too many neighbours two edits away)
MAX_ERRORS = 2  # at most this many words of a query replaced in one suggestion
# Longer queries get no suggestion: nobody retypes a long query from one, and the suggester's cost grows with
# the words (32 misspelt words: the hostile query of bench/query_cost.py, docs/reliability-bounds.md).
MAX_SUGGEST_WORDS = 8
_TOKEN = re.compile(r"\w+", re.UNICODE)


def wants_suggestion(request: SearchRequest, response: dict[str, Any]) -> bool:
    """Whether the first page found little enough to look for a suggestion (and, when nothing, to relax)."""
    found = int(response.get("hits", {}).get("total", {}).get("value", 0))
    return request.page == 1 and found < SUGGEST_BELOW and bool(parse_query(request.q.strip()).words)


def suggestion_wanted(request: SearchRequest) -> bool:
    """Whether the query is short enough to be spelt out again (see MAX_SUGGEST_WORDS)."""
    return len(parse_query(request.q.strip()).words) <= MAX_SUGGEST_WORDS


def suggestion_body(request: SearchRequest, size: bool = True) -> dict[str, Any]:
    """The suggester's part of a search body (alone: ``size=True`` adds an empty hit list around it);
    nothing for a query too long to suggest for."""
    if not suggestion_wanted(request):
        return {}
    words = parse_query(request.q.strip()).text
    suggest = {
        "text": words,
        SUGGESTION: {
            "phrase": {
                "field": SUGGEST_FIELD,
                "gram_size": 1,
                "size": 1,
                "max_errors": MAX_ERRORS,
                "direct_generator": [
                    {
                        "field": SUGGEST_FIELD,
                        "suggest_mode": "missing",  # a word the index holds is taken as meant
                        "max_edits": MAX_EDITS,
                        "prefix_length": 1,
                        "min_word_length": MIN_WORD_LETTERS,
                    }
                ],
                "highlight": {"pre_tag": MARK_OPEN, "post_tag": MARK_CLOSE},
            }
        },
    }
    if not size:
        return {"suggest": suggest}
    return {"size": 0, "track_total_hits": False, "query": {"match_none": {}}, "suggest": suggest}


def read_suggestion(request: SearchRequest, response: dict[str, Any]) -> Suggestion | None:
    """The suggested query (the words replaced, phrases and exclusions kept), or None."""
    entries = response.get("suggest", {}).get(SUGGESTION, [])
    options = entries[0].get("options", []) if entries else []
    if not options:
        return None
    parsed = parse_query(request.q.strip())
    plain = _cased(parsed.text, str(options[0].get("text", "")))
    marked = _cased(parsed.text, str(options[0].get("highlighted", "")))
    if not plain or plain.casefold() == parsed.text.casefold():
        return None
    rest = _rest(parsed)
    escaped = html.escape(marked, quote=True).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
    return Suggestion(
        text=" ".join(filter(None, [plain.replace(MARK_OPEN, "").replace(MARK_CLOSE, ""), rest])),
        html=" ".join(filter(None, [escaped, html.escape(rest, quote=True)])),
    )


def _cased(typed: str, suggested: str) -> str:
    """The suggestion with each word capitalised where the reader's was ("bahlil" -> "Bahlil")."""
    capitals = [word[0].isupper() for word in _TOKEN.findall(typed)]
    words = suggested.split(" ")
    if len(words) != len(capitals):
        return suggested
    return " ".join(_capitalised(word) if upper else word for word, upper in zip(words, capitals, strict=True))


def _capitalised(word: str) -> str:
    start = len(MARK_OPEN) if word.startswith(MARK_OPEN) else 0
    return word[:start] + word[start : start + 1].upper() + word[start + 1 :]


def _rest(parsed: ParsedQuery) -> str:
    """The query's phrases and exclusions, as typed (the suggestion keeps them)."""
    phrases = [f'"{phrase}"' for phrase in parsed.phrases]
    excluded = [f'-"{text}"' if " " in text else f"-{text}" for text in parsed.excluded]
    return " ".join(phrases + excluded)
