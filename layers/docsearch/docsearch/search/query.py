"""Validated search request -> OpenSearch query body. User text never reaches query_string.

Ranking, in short (the README's "Searching" section says it for users):
- every plain word is matched on the stemmed fields (title boosted over body, synonyms and
  abbreviations expanded at query time), term-centric across title and body (``cross_fields``),
  with a minimum-should-match that keeps keyword queries precise (questions have none: questions.py);
- a typo-tolerant variant of the same clause (on the unstemmed fields, edits only in words of
  six letters or more, see ``FUZZINESS``; only for queries with few such words, see
  ``typo_tolerant``) can also satisfy the query, at a fraction of the weight;
- exact (unstemmed) matches and the words appearing as a phrase add to the score, so exact
  matches and phrases outrank stemmed ones;
- "quoted phrases" must appear as written (unstemmed); ``-word`` / ``-"phrase"`` exclude;
- tombstones (``deleted: true``) never match.
"""

from __future__ import annotations

from typing import Any

from docsearch.document import TOMBSTONE
from docsearch.outlets import source_key
from docsearch.search.grouping import grouping
from docsearch.search.models import SearchRequest
from docsearch.search.parse import ParsedQuery, parse_query
from docsearch.search.questions import is_question, question_content

# Private-use characters mark highlights so the document text can be escaped
# before the markers become <mark> tags (see results.py).
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
SNIPPET_CHARS = 160
MAX_SNIPPETS = 3
FACET_SIZE = 20

# Title over body: x3 let a title word outrank the passage that answers ("Dewan Keamanan" in one title beat
# "Badan Keamanan Laut" in another body); x2 measured better on the question set (docs/relevance.md).
TITLE_BOOST = 2
STEMMED_FIELDS = [f"title^{TITLE_BOOST}", "body"]
EXACT_FIELDS = [f"title.exact^{TITLE_BOOST}", "body.exact"]
# Keyword queries: one or two words must all match; three or four: all but one; five or more: a quarter.
# Plain OR would let long keyword queries return everything that shares one word (the precision probes).
MINIMUM_SHOULD_MATCH = "2<-1 4<25%"
# Questions ("Dimanakah letak Pyongyang?", see questions.py) keep template words their answer lacks:
# no minimum, any of their words can match, and BM25 ranks the passages holding the most (and rarest).
QUESTION_MINIMUM_SHOULD_MATCH: str | None = None
# Typos: no edits under 6 letters (dana/data, utara/utama), 1 edit for 6-8, 2 from 9 on.
FUZZINESS = "AUTO:6,9"
FUZZY_PREFIX = 1
FUZZY_EXPANSIONS = 10  # terms one misspelt word may expand to (was 20: see query_cost below)
FUZZY_BOOST = 0.2
EXACT_BOOST = 0.5
PROXIMITY_BOOST = 0.5
PROXIMITY_SLOP = 2
SOURCE_FIELDS = ["key", "title", "source", "published_at", "url"]


def build_search(request: SearchRequest) -> dict[str, Any]:
    parsed = parse_query(request.q.strip())
    body: dict[str, Any] = {
        "from": (request.page - 1) * request.size,
        "size": request.size,
        "track_total_hits": True,
        "_source": SOURCE_FIELDS,
        "query": build_query(parsed, request),
        "highlight": _highlight(),
        "aggs": {"source": {"terms": {"field": "source_key", "size": FACET_SIZE}}},
        "timeout": SEARCH_TIMEOUT,
    }
    sources = _source_filter(request)
    if sources:  # post_filter: the source facet still counts every source
        body["post_filter"] = sources
    grouped = grouping(request, sources or {"match_all": {}})
    body["aggs"].update(grouped.pop("aggs", {}))
    body.update(grouped)
    if request.sort != "relevance":
        order = "desc" if request.sort == "newest" else "asc"
        body["sort"] = [{"published_at": {"order": order, "missing": "_last"}}, "_score", {"key": "asc"}]
        body["track_scores"] = True
    return body


def build_query(parsed: ParsedQuery, request: SearchRequest) -> dict[str, Any]:
    must: list[dict[str, Any]] = []
    should: list[dict[str, Any]] = []
    if parsed.words:
        text, minimum = _ranked_words(parsed, request.q)
        must.append(_words_clause(text, minimum))
        should.extend(_ranking_boosts(text))
    must.extend(_phrase(phrase) for phrase in parsed.phrases)
    if parsed.is_empty:  # nothing searchable ("🌊", '"""', "-"): no results, never the whole corpus
        must.append({"match_none": {}})
    elif not must:  # only exclusions: everything but those
        must.append({"match_all": {}})
    must_not: list[dict[str, Any]] = [TOMBSTONE]
    must_not.extend(_excluded(text) for text in parsed.excluded)
    return {
        "bool": {
            "must": must,
            "should": should,
            "must_not": must_not,
            "filter": _filters(request),
        }
    }


def _ranked_words(parsed: ParsedQuery, raw: str) -> tuple[str, str | None]:
    """The words to rank on and how many of them must match: keywords stay precise, questions do not cut."""
    if is_question(raw, parsed.words):
        return question_content(parsed.words), QUESTION_MINIMUM_SHOULD_MATCH
    return parsed.text, MINIMUM_SHOULD_MATCH


def _words_clause(text: str, minimum: str | None = MINIMUM_SHOULD_MATCH) -> dict[str, Any]:
    """The words must match (``minimum`` of them), stemmed (with synonyms) or, failing that, with a typo."""
    cut = {"minimum_should_match": minimum} if minimum else {}
    stemmed = {
        "multi_match": {
            "query": text,
            "fields": STEMMED_FIELDS,
            "type": "cross_fields",
            "operator": "or",
            **cut,
        }
    }
    fuzzy = {
        "multi_match": {
            "query": text,
            "fields": EXACT_FIELDS,
            "type": "most_fields",
            "operator": "or",
            **cut,
            "fuzziness": FUZZINESS,
            "prefix_length": FUZZY_PREFIX,
            "max_expansions": FUZZY_EXPANSIONS,
            "boost": FUZZY_BOOST,
        }
    }
    if not typo_tolerant(text):
        return {"bool": {"should": [stemmed], "minimum_should_match": 1}}
    return {"bool": {"should": [stemmed, fuzzy], "minimum_should_match": 1}}


def _ranking_boosts(text: str) -> list[dict[str, Any]]:
    """Exact (unstemmed) matches and the words close together score higher."""
    exact = {"multi_match": {"query": text, "fields": EXACT_FIELDS, "type": "most_fields", "boost": EXACT_BOOST}}
    proximity = {
        "multi_match": {
            "query": text,
            "fields": EXACT_FIELDS,
            "type": "phrase",
            "slop": PROXIMITY_SLOP,
            "boost": PROXIMITY_BOOST,
        }
    }
    return [exact, proximity]


def _phrase(text: str) -> dict[str, Any]:
    return {"multi_match": {"query": text, "fields": EXACT_FIELDS, "type": "phrase"}}


def _excluded(text: str) -> dict[str, Any]:
    """An excluded word drops its stemmed forms too; an excluded phrase drops that phrase."""
    return {"multi_match": {"query": text, "fields": ["title", "body"], "type": "phrase"}}


def _source_filter(request: SearchRequest) -> dict[str, Any] | None:
    """Any spelling of a source's name filters the same (see outlets.py)."""
    keys = sorted({key for key in map(source_key, request.source) if key})
    return {"terms": {"source_key": keys}} if keys else None


def _filters(request: SearchRequest) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    if request.date_from or request.date_to:
        bounds: dict[str, str] = {"format": "yyyy-MM-dd"}
        if request.date_from:
            bounds["gte"] = request.date_from.isoformat()
        if request.date_to:
            bounds["lte"] = request.date_to.isoformat()
        filters.append({"range": {"published_at": bounds}})
    return filters


def _highlight() -> dict[str, Any]:
    return {
        "pre_tags": [MARK_OPEN],
        "post_tags": [MARK_CLOSE],
        "encoder": "default",
        "fields": {
            "body": {
                "type": "fvh",
                "matched_fields": ["body", "body.exact"],
                "fragment_size": SNIPPET_CHARS,
                "number_of_fragments": MAX_SNIPPETS,
                "no_match_size": SNIPPET_CHARS,
                "order": "score",
            },
            "title": {
                "type": "fvh",
                "matched_fields": ["title", "title.exact"],
                "number_of_fragments": 0,
            },
        },
    }


# Query cost bounds: a hostile query costs at most a few ordinary ones (bench/query_cost.py, measured in
# docs/reliability-bounds.md). Repeated words are collapsed when parsing; the fuzzy clause is what costs
# (about 40 ms per misspelt long word on 5k documents, 32 of them: 1.6 s), so it is only built for
# queries with few words long enough to take an edit: longer queries need only a quarter of their words
# (MINIMUM_SHOULD_MATCH), which tolerates a typo by itself. The engine stops collecting at SEARCH_TIMEOUT
# and the response says ``partial``.
SEARCH_TIMEOUT = "1s"
MAX_FUZZY_WORDS = 4
FUZZY_MIN_LETTERS = 6  # FUZZINESS gives no edit to shorter words


def typo_tolerant(text: str) -> bool:
    """True if the typo-tolerant clause is worth its cost for these words."""
    return sum(len(word) >= FUZZY_MIN_LETTERS for word in text.split()) <= MAX_FUZZY_WORDS
