"""Validated search request -> OpenSearch query body. User text never reaches query_string.

Ranking, in short (the README's "Searching" section says it for users):
- every plain word is matched on the stemmed fields (title boosted over body, synonyms and
  abbreviations expanded at query time), term-centric across title and body (``cross_fields``),
  with a minimum-should-match that keeps keyword queries precise (questions have none: questions.py);
- a typo-tolerant variant of the same clause (on the unstemmed fields, edits only in words of
  six letters or more, two edits from eight, see ``FUZZINESS``; only for queries with few such words,
  see ``typo_tolerant``) can also satisfy the query, at a fraction of the weight;
- a newsroom's aliases (``aliases.py``) add the same clause once per way of saying an alias the query
  holds ("Menkeu" -> "Menteri Keuangan"), any of which can satisfy the query;
- a query that finds nothing is run once more ``relaxed`` (``run.py``): any one of its words suffices;
- exact (unstemmed) matches and the words appearing as a phrase add to the score, so exact
  matches and phrases outrank stemmed ones;
- "quoted phrases" must appear as written (unstemmed); ``-word`` / ``-"phrase"`` exclude;
- tombstones (``deleted: true``) never match.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from docsearch.document import TOMBSTONE
from docsearch.outlets import source_key
from docsearch.search.aliases import NO_ALIASES, AliasList, alias_variants
from docsearch.search.grouping import grouping, story_filter
from docsearch.search.models import SearchRequest
from docsearch.search.parse import ParsedQuery, parse_query
from docsearch.search.questions import content_words, is_question, question_content

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
# no minimum, any of their content words can match, and BM25 ranks the passages holding the most (and rarest).
# Requiring half of them cut FacQA's MRR@10 from 0.858 to 0.843 (Recall@10 0.954 -> 0.909, docs/relevance.md).
QUESTION_MINIMUM_SHOULD_MATCH: str | None = None
# ... but a question's total counts only the articles holding at least half of its content words (stemmed):
# counted with no minimum it was the whole archive, as every article shares some word with any question.
QUESTION_COUNT_MINIMUM = "50%"
ANSWERS_AGG = "answers"
# Typos: no edits under 6 letters (dana/data, utara/utama), 1 edit for 6-7, 2 from 8 on: a name misspelt
# twice ("Lahadila" for Lahadalia) is found; 2 edits from 9 missed it (tests/integration/test_forgiving.py).
FUZZINESS = "AUTO:6,8"
FUZZY_PREFIX = 1
FUZZY_EXPANSIONS = 10  # terms one misspelt word may expand to (was 20: see query_cost below)
FUZZY_BOOST = 0.2
EXACT_BOOST = 0.5
# Subwords, in the relaxed pass only, asked at query time on the unstemmed fields (no index change):
# a loanword's longer form as a prefix of each word of six letters or more (feodal -> feodalisme, at most the
# 10 likeliest terms), a compound written joined or apart (two adjacent words joined: Karang kancana ->
# karangkancana; a long word split in two as a phrase: Karangkancana -> "karang kancana"). As a boost on every
# query (as an index of prefixes) they measured no gain on FacQA's tuning half (MRR@10 0.869 -> 0.867) and cost
# the question set one answer; an index of joined words would have been 1.46 times the size (docs/relevance.md).
SUBWORD_BOOST = 0.2
PREFIX_MIN_LETTERS = 6
PREFIX_EXPANSIONS = "top_terms_10"
SPLIT_MIN_LETTERS = 8  # a joined compound: two words of 4 letters or more
SPLIT_MAX_LETTERS = 20  # longer is not a compound of two words; bounds the phrases per word (at most 13)
SPLIT_PART_LETTERS = 4
PROXIMITY_BOOST = 0.5
PROXIMITY_SLOP = 2
SOURCE_FIELDS = ["key", "title", "source", "published_at", "url", "story"]
# The relaxed pass (a query that found nothing): any one of its words, so a name whose surname is misspelt
# beyond repair is still found by the other name ("Erick Tohar" -> the articles on Erick Thohir).
RELAXED_MINIMUM_SHOULD_MATCH = "1"
# ... and two edits from seven letters ("Gonawen" -> Gunawan), still none under six: the cost bound
# (``typo_tolerant``) holds as it counts the same words.
RELAXED_FUZZINESS = "AUTO:6,7"


def build_search(request: SearchRequest, *, relaxed: bool = False, aliases: AliasList = NO_ALIASES) -> dict[str, Any]:
    """The whole search body: the lexical query (``build_query``), highlight, facets, grouping, sort."""
    parsed = parse_query(request.q.strip())
    body: dict[str, Any] = {
        "from": (request.page - 1) * request.size,
        "size": request.size,
        "track_total_hits": True,
        "_source": SOURCE_FIELDS,
        "query": build_query(parsed, request, relaxed=relaxed, aliases=aliases),
        "highlight": _highlight(parsed, request.q, RELAXED_FUZZINESS if relaxed else FUZZINESS),
        "aggs": {"source": {"terms": {"field": "source_key", "size": FACET_SIZE}}},
        "timeout": SEARCH_TIMEOUT,
    }
    sources = _source_filter(request)
    if sources:  # post_filter: the source facet still counts every source
        body["post_filter"] = sources
    if parsed.words and not relaxed and is_question(request.q, parsed.words):
        content = content_words(question_content(parsed.words))
        counted = [_stemmed(content, QUESTION_COUNT_MINIMUM), *([sources] if sources else [])]
        body["aggs"][ANSWERS_AGG] = {"filter": {"bool": {"filter": counted}}}  # the total: results.py
    grouped = grouping(request, sources or {"match_all": {}})
    body["aggs"].update(grouped.pop("aggs", {}))
    body.update(grouped)
    if request.sort != "relevance":
        order = "desc" if request.sort == "newest" else "asc"
        body["sort"] = [{"published_at": {"order": order, "missing": "_last"}}, "_score", {"key": "asc"}]
        body["track_scores"] = True
    return body


def build_query(
    parsed: ParsedQuery, request: SearchRequest, *, relaxed: bool = False, aliases: AliasList = NO_ALIASES
) -> dict[str, Any]:
    """The lexical query: what must match, what ranks higher, what is excluded, the filters.

    ``relaxed``: any one of the words suffices (the second pass of a query that found nothing).
    ``aliases``: the newsroom's alias groups; each way of saying an alias the words hold is one more
    way to satisfy the query (stemmed, without the typo clause: the typed words keep that).
    """
    must: list[dict[str, Any]] = []
    should: list[dict[str, Any]] = []
    if parsed.words:
        text, minimum = _ranked_words(parsed, request.q)
        if relaxed:
            minimum = RELAXED_MINIMUM_SHOULD_MATCH
        clause = _words_clause(text, minimum, RELAXED_FUZZINESS if relaxed else FUZZINESS)
        clause["bool"]["should"].extend(_stemmed(variant, minimum) for variant in alias_variants(text, aliases))
        if relaxed:  # a loanword's other form, a compound written joined or apart
            clause["bool"]["should"].extend(_subwords(text))
        must.append(clause)
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


def _words_clause(text: str, minimum: str | None = MINIMUM_SHOULD_MATCH, fuzziness: str = FUZZINESS) -> dict[str, Any]:
    """The words must match (``minimum`` of them), stemmed (with synonyms) or, failing that, with a typo."""
    cut = {"minimum_should_match": minimum} if minimum else {}
    stemmed = _stemmed(text, minimum)
    fuzzy = {
        "multi_match": {
            "query": text,
            "fields": EXACT_FIELDS,
            "type": "most_fields",
            "operator": "or",
            **cut,
            "fuzziness": fuzziness,
            "prefix_length": FUZZY_PREFIX,
            "max_expansions": FUZZY_EXPANSIONS,
            "boost": FUZZY_BOOST,
        }
    }
    if not typo_tolerant(text):
        return {"bool": {"should": [stemmed], "minimum_should_match": 1}}
    return {"bool": {"should": [stemmed, fuzzy], "minimum_should_match": 1}}


def _stemmed(text: str, minimum: str | None) -> dict[str, Any]:
    cut = {"minimum_should_match": minimum} if minimum else {}
    return {"multi_match": {"query": text, "fields": STEMMED_FIELDS, "type": "cross_fields", "operator": "or", **cut}}


def _ranking_boosts(text: str) -> list[dict[str, Any]]:
    """Exact (unstemmed) matches and the words close together score higher."""
    exact = {
        "multi_match": {
            "query": text,
            "fields": EXACT_FIELDS,
            "type": "most_fields",
            "boost": EXACT_BOOST,
        }
    }
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


def _subwords(text: str) -> list[dict[str, Any]]:
    """feodal finds feodalisme, Karang kancana finds Karangkancana and the reverse (see SUBWORD_BOOST)."""
    words = list(dict.fromkeys(w.casefold() for w in _WORD.findall(content_words(text))))
    if not typo_tolerant(" ".join(words)):
        return []
    joined = [a + b for a, b in pairwise(words)]
    split = [
        f"{word[:cut]} {word[cut:]}"
        for word in words
        if SPLIT_MIN_LETTERS <= len(word) <= SPLIT_MAX_LETTERS
        for cut in range(SPLIT_PART_LETTERS, len(word) - SPLIT_PART_LETTERS + 1)
    ]
    prefix = [w for w in words if len(w) >= PREFIX_MIN_LETTERS]
    clauses: list[dict[str, Any]] = []
    for field in (f.split("^")[0] for f in EXACT_FIELDS):
        clauses += [{"term": {field: {"value": w, "boost": SUBWORD_BOOST}}} for w in joined]
        clauses += [{"match_phrase": {field: {"query": p, "boost": SUBWORD_BOOST}}} for p in split]
        opts = {"rewrite": PREFIX_EXPANSIONS, "boost": SUBWORD_BOOST}
        clauses += [{"prefix": {field: {"value": w, **opts}}} for w in prefix]
    return clauses


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
    filters: list[dict[str, Any]] = story_filter(request)
    if request.date_from or request.date_to:
        bounds: dict[str, str] = {"format": "yyyy-MM-dd"}
        if request.date_from:
            bounds["gte"] = request.date_from.isoformat()
        if request.date_to:
            bounds["lte"] = request.date_to.isoformat()
        filters.append({"range": {"published_at": bounds}})
    return filters


# Highlighting reads at most this many characters of a field (the engine's ``max_analyzer_offset``; its index
# default is 1,000,000). A snippet comes from the first 100,000 characters of a body, about 15,000 words: the
# longest sample or seed article is 10,386 characters, so real articles are highlighted whole, and a multi-MB body
# (issue 21: four clients on such bodies took an ordinary query's p50 from 4 ms to 502 ms) costs no more.
HIGHLIGHT_MAX_CHARS = 100_000
# Phrase matches the fast-vector highlighter considers per field (the engine's default is 256).
HIGHLIGHT_PHRASE_LIMIT = 64


def _highlight(parsed: ParsedQuery, raw: str, fuzziness: str) -> dict[str, Any]:
    """Snippets with the query's words (as matched: stemmed, or with a typo) and phrases marked; its question
    and function words never ("yang" is in nearly every passage). A query holding such words gets a
    highlighter's query of its own; any other is marked from the search query itself, as a second query
    costs the engine about a sixth more (bench: 1914 against 1649 ms over 80 searches)."""
    text = content_words(_ranked_words(parsed, raw)[0]) if parsed.words else ""
    if text == parsed.text:  # nothing to leave unmarked
        return _marks({})
    marked: list[dict[str, Any]] = [_phrase(phrase) for phrase in parsed.phrases]
    fields = [*STEMMED_FIELDS, *EXACT_FIELDS]
    marked.append({"multi_match": {"query": text, "fields": fields, "type": "most_fields"}})
    if typo_tolerant(text):
        typo = {"fuzziness": fuzziness, "prefix_length": FUZZY_PREFIX, "max_expansions": FUZZY_EXPANSIONS}
        marked.append({"multi_match": {"query": text, "fields": EXACT_FIELDS, "type": "most_fields", **typo}})
    return _marks({"highlight_query": {"bool": {"should": marked}}})


def _marks(query: dict[str, Any]) -> dict[str, Any]:
    return {
        **query,
        "pre_tags": [MARK_OPEN],
        "post_tags": [MARK_CLOSE],
        "encoder": "default",
        "max_analyzer_offset": HIGHLIGHT_MAX_CHARS,
        "phrase_limit": HIGHLIGHT_PHRASE_LIMIT,
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
_WORD = re.compile(r"\w+", re.UNICODE)
SEARCH_TIMEOUT = "1s"
MAX_FUZZY_WORDS = 4
FUZZY_MIN_LETTERS = 6  # FUZZINESS gives no edit to shorter words


def typo_tolerant(text: str) -> bool:
    """True if the typo-tolerant clause is worth its cost for these words."""
    return sum(len(word) >= FUZZY_MIN_LETTERS for word in text.split()) <= MAX_FUZZY_WORDS
