"""Hybrid search: the lexical ranking fused with the dense model's, in the function (normalised score fusion).

The lexical query is the one ``query.build_search`` makes, untouched; this module composes around it:

1. the lexical ranking, ids only, read ``depth`` deep (with its facets, totals and story collapse);
2. the dense ranking: a k-NN search for the query's vector under the same filters, exclusions and
   quoted phrases (so a filter or a ``-word`` means the same in both modes);
3. which dense-only documents may join: those the model ranks above every lexical match (the model
   and the words disagree there) and within ``DENSE_MIN_COSINE`` of the query. When the model's best
   match is a lexical match, nothing joins and fusion only reorders what the words found, so keyword
   queries keep their precision (the precision probes: "dana" never brings "Perdana Menteri");
4. a convex combination of the two rankings' scores (``DENSE_WEIGHT``): the words' scaled by their best
   score, the model's min-max normalised over its own ranking (``fuse``); the page's documents are then
   read with the lexical query as their highlight query, so a document found by its meaning is
   highlighted by the words it does share (or opens with its lead, as any document without a match does).

Sorting by date fuses nothing: the lexical matches and the admitted dense-only documents are one
query, sorted, paged, counted and collapsed by the engine. OpenSearch's own ``hybrid`` query (with a
normalization search pipeline) needs the neural-search plugin: AWS's managed domains have it, the
local engine cannot (the plugin is not on Maven Central) and a Serverless search collection has no
vector field at all; fusion here runs on every engine with k-NN (docs/decisions/0015-hybrid-retrieval.md).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from docsearch.document import EMBEDDING as VECTOR_FIELD
from docsearch.search.client import SearchClient
from docsearch.search.grouping import STORY_FIELD
from docsearch.search.models import SearchRequest
from docsearch.search.parse import ParsedQuery
from docsearch.search.query import EXACT_FIELDS, SOURCE_FIELDS

# Each ranking is read this deep (or to the end of the requested page if that is deeper): a document
# ranked 50th by one side and unranked by the other can no longer reach the first page after fusion.
FUSION_DEPTH = 50
# The dense side's share of a fused score (the lexical side has the rest; ``fuse`` scales each side). Tuned,
# with both sides min-max normalised, on FacQA's even query ids (0.2: 0.861, 0.3: 0.864, 0.4: 0.865,
# 0.5: 0.863; lexical 0.851) and checked on the odd ones (0.4: 0.868 against 0.855, p < 0.001). Reciprocal
# rank fusion of the same rankings gained nothing (k = 60, equal weights: 0.856 over all 3,002 questions;
# the dense side at twice the weight: 0.849): it throws away how far apart the scores are, which is what
# tells a clear first place from a tie (Bruch et al. 2023, "An analysis of fusion functions for hybrid
# retrieval", found the same; docs/relevance.md, "Hybrid").
DENSE_WEIGHT = 0.4
# The dense side's share when the words as typed matched nothing and the lexical side is the relaxed query
# (any word, misspellings forgiven): weaker evidence, so the shares swap. Vocabulary set, hybrid MRR@10 with
# 0.4: 0.711, 0.6: 0.745 (lexical mode 0.653); names with two wrong letters: 32 of 33 found, as lexically.
RELAXED_DENSE_WEIGHT = 0.6
# The least cosine similarity a dense-only document needs. e5-small's similarities are compressed: on our
# sets, unrelated sample articles sit at a median of 0.79 to a query (90th percentile 0.81), the right
# passage of a vocabulary-mismatch query at a median of 0.86 (eval/data/vocabulary_*).
DENSE_MIN_COSINE = 0.80
# At most this many documents only the model found join a query's results (its best). Every admission
# judged relevant on our sets was the model's first or second (5 of 5; 107 others were not relevant); with
# no cap, "khawatir" on the real archive admitted 44 articles to 97 word matches and "tingkat pengangguran"
# 13, inflating totals. Caps of 2, 3 and 5 left every set's MRR@10 as it was; 1 cost vocabulary 0.755 -> 0.745.
MAX_ADMITTED = 3
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class HybridAnswer:
    response: dict[str, Any]  # shaped as a plain search's engine response
    relaxed: bool  # the lexical side is the relaxed query (the words as typed matched nothing)
    meaning: bool  # the model's ranking had something to fuse (False: no vectors under these filters)


@dataclass(frozen=True)
class Ranked:
    key: str  # the story when grouping (one result per story), else the document id
    id: str
    score: float = 0.0  # the engine's: BM25 on the lexical side, the cosine on the dense one


def embedded_text(parsed: ParsedQuery) -> str:
    """What the model reads: the query's words and phrases, not its exclusions; nothing when every word holds a
    digit. Codes (case and letter numbers, plates, IDs) are what the words find exactly and the model reads as
    look-alikes: with 13 reports for each of ten codes "zq…" indexed, one code's answer counted two reports
    of other codes (15 for 13). Such a query is answered by its words (``run.py``: no text, no model)."""
    parts = [*parsed.words, *parsed.phrases]
    if all(_DIGIT.search(word) for part in parts for word in part.split()):
        return ""
    return " ".join(parts)


def cosine(score: float) -> float:
    """The engine's cosinesimil score is (1 + cos) / 2."""
    return 2.0 * score - 1.0


def ids_only(lexical: dict[str, Any], depth: int) -> dict[str, Any]:
    """The lexical search, relevance-ranked, ids only, ``depth`` deep (facets and totals kept)."""
    body = {k: v for k, v in lexical.items() if k not in ("highlight", "sort", "track_scores")}
    return {**body, "from": 0, "size": depth, "_source": False}


def dense_body(
    request: SearchRequest, lexical: dict[str, Any], parsed: ParsedQuery, vector: list[float], depth: int
) -> dict[str, Any]:
    """The k-NN search under the lexical query's filters, exclusions and phrases (an efficient filter)."""
    query = lexical["query"]["bool"]
    filters = list(query.get("filter", []))
    if "post_filter" in lexical:  # the source filter: the lexical side keeps it out of the facet count
        filters.append(lexical["post_filter"])
    phrases = [{"multi_match": {"query": text, "fields": EXACT_FIELDS, "type": "phrase"}} for text in parsed.phrases]
    restrict = {"bool": {"filter": filters, "must": phrases, "must_not": query.get("must_not", [])}}
    body: dict[str, Any] = {
        "size": depth,
        "_source": False,
        "query": {"knn": {VECTOR_FIELD: {"vector": vector, "k": depth, "filter": restrict}}},
    }
    if "collapse" in lexical:
        body["collapse"] = lexical["collapse"]
    if "timeout" in lexical:
        body["timeout"] = lexical["timeout"]
    return body


def _ranked(response: dict[str, Any], grouped: bool, dense: bool) -> list[Ranked]:
    ranked = []
    for hit in response.get("hits", {}).get("hits", []):
        story = hit.get("fields", {}).get(STORY_FIELD, [None])[0] if grouped else None
        score = float(hit.get("_score") or 0.0)
        ranked.append(Ranked(key=story or hit["_id"], id=hit["_id"], score=cosine(score) if dense else score))
    return ranked


def admitted(lexical: list[Ranked], dense: list[Ranked]) -> list[Ranked]:
    """Dense-only documents ranked by the model above its best lexical match, and close enough to the query
    (at most ``MAX_ADMITTED``, the model's best); none when the words matched nothing, not even relaxed: a
    query that matches nothing answers nothing, in either mode (the API contract), so "qwertyuiop" never
    brings the model's nearest articles (at cosine 0.83, where a vocabulary query's right passage sits at
    0.82 in a tenth of cases: no threshold separates them)."""
    if not lexical:
        return []
    matched = {item.key for item in lexical}
    joined = []
    for item in dense:
        if item.key in matched:
            break
        if item.score >= DENSE_MIN_COSINE:
            joined.append(item)
    return joined[:MAX_ADMITTED]


def _first_scores(ranking: list[Ranked]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for item in ranking:
        scores.setdefault(item.key, item.score)
    return scores


def normalised(ranking: list[Ranked]) -> dict[str, float]:
    """Each key's score min-max scaled to [0, 1] over ``ranking`` (its first entry per key; all 1.0 if tied)."""
    scores = _first_scores(ranking)
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    return {key: (score - low) / (high - low) if high > low else 1.0 for key, score in scores.items()}


def relative(ranking: list[Ranked]) -> dict[str, float]:
    """Each key's score as a share of the best (its first entry per key; BM25 scores are positive)."""
    scores = _first_scores(ranking)
    best = max(scores.values(), default=0.0)
    return {key: score / best if best > 0 else 1.0 for key, score in scores.items()}


def fuse(
    lexical: list[Ranked], dense: list[Ranked], joined: list[Ranked], weight: float = DENSE_WEIGHT
) -> list[tuple[Ranked, float]]:
    """The lexical matches and ``joined`` ranked by ``(1 - DENSE_WEIGHT) * words + DENSE_WEIGHT * meaning``
    (0 where that side did not rank the document). The words' score is a share of their best (``relative``),
    not min-max scaled: scaled to 0, the weakest word match tied with a document no word matched, and the
    model's admissions went above it (*khawatir*: its second matching article fell to 5th, under three
    that lack the word). Min-max on this side: vocabulary 0.745, FacQA 0.866; shares: 0.755, 0.867."""
    words, meaning = relative(lexical), normalised(dense)
    chosen: dict[str, Ranked] = {}
    for item in [*lexical, *joined]:
        chosen.setdefault(item.key, item)
    scores = {key: (1 - weight) * words.get(key, 0.0) + weight * meaning.get(key, 0.0) for key in chosen}
    lexical_rank = {item.key: rank for rank, item in reversed(list(enumerate(lexical)))}
    order = sorted(scores, key=lambda key: (-scores[key], lexical_rank.get(key, len(lexical)), key))
    return [(chosen[key], scores[key]) for key in order]


def _total(response: dict[str, Any]) -> int:
    return int(response.get("hits", {}).get("total", {}).get("value", 0))


def hybrid_answers(
    client: SearchClient,
    request: SearchRequest,
    index: str,
    lexical: dict[str, Any],
    parsed: ParsedQuery,
    vector: list[float],
    relaxed: Callable[[], dict[str, Any]] | None = None,
) -> HybridAnswer:
    """The engine response a hybrid search answers with, and whether its lexical side is ``relaxed``: the
    relaxed query (any of the words, misspellings forgiven; ``relaxed`` builds it), asked when the
    words as typed match nothing, as lexical mode's second look does. Without it a misspelt name ("Jiroma
    Powell") would be answered by the model's nearest articles alone, which share no name with it. When
    not even the relaxed words match, the model is not asked: nothing it finds may join (``admitted``)."""
    depth = max(FUSION_DEPTH, request.page * request.size)
    grouped = "collapse" in lexical
    words = client.search(index, ids_only(lexical, depth))
    loose = False
    if not _total(words) and relaxed is not None:
        loose_body = relaxed()
        again = client.search(index, ids_only(loose_body, depth))
        if _total(again):
            lexical, words, loose = loose_body, again, True
    if not _total(words):
        return HybridAnswer(_answer(words, [], 0, int(words.get("took", 0)), timed_out=False), False, False)
    meaning = client.search(index, dense_body(request, lexical, parsed, vector, depth))
    lexical_ranked, dense_ranked = _ranked(words, grouped, dense=False), _ranked(meaning, grouped, dense=True)
    joined = admitted(lexical_ranked, dense_ranked)
    took = int(words.get("took", 0)) + int(meaning.get("took", 0))
    if request.sort != "relevance":
        answer = client.search(index, _sorted_body(lexical, joined))
        answer["took"] = took + int(answer.get("took", 0))
        return HybridAnswer(answer, loose, bool(dense_ranked))
    fused = fuse(lexical_ranked, dense_ranked, joined, RELAXED_DENSE_WEIGHT if loose else DENSE_WEIGHT)
    start = (request.page - 1) * request.size
    page = fused[start : start + request.size]
    hits: list[dict[str, Any]] = []
    if page:
        read = client.search(index, _page_body(lexical, [item.id for item, _ in page], grouped))
        took += int(read.get("took", 0))
        hits = _in_order(read, page)
    answer = _answer(words, hits, len(joined), took, timed_out=bool(meaning.get("timed_out")))
    return HybridAnswer(answer, loose, bool(dense_ranked))


def _highlight(lexical: dict[str, Any]) -> dict[str, Any]:
    """The lexical highlight, driven by the lexical query (or its own highlight query, when it has one: a
    question's) whatever found the document."""
    highlight: dict[str, Any] = copy.deepcopy(lexical["highlight"])
    highlight.setdefault("highlight_query", lexical["query"])
    return highlight


def _sorted_body(lexical: dict[str, Any], joined: list[Ranked]) -> dict[str, Any]:
    """The lexical search (sorted by date) with the admitted dense-only documents as further matches."""
    body = {**lexical, "highlight": _highlight(lexical)}
    if joined:
        also = {"ids": {"values": [item.id for item in joined]}}
        body["query"] = {"bool": {"should": [lexical["query"], also], "minimum_should_match": 1}}
    return body


def _page_body(lexical: dict[str, Any], ids: list[str], grouped: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "size": len(ids),
        "_source": SOURCE_FIELDS,
        "query": {"ids": {"values": ids}},
        "highlight": _highlight(lexical),
    }
    if grouped:  # the copies lookup reads each result's story
        body["docvalue_fields"] = [STORY_FIELD]
    return body


def _in_order(read: dict[str, Any], page: list[tuple[Ranked, float]]) -> list[dict[str, Any]]:
    """The page's hits in fused order, each scored with its fused score (a deleted one drops out)."""
    by_id = {hit["_id"]: hit for hit in read.get("hits", {}).get("hits", [])}
    return [{**by_id[item.id], "_score": score} for item, score in page if item.id in by_id]


def _answer(
    words: dict[str, Any], hits: list[dict[str, Any]], joined: int, took: int, *, timed_out: bool
) -> dict[str, Any]:
    """The lexical answer's totals and facets, the fused page, and the admitted documents counted in."""
    aggregations = copy.deepcopy(words.get("aggregations", {}))
    stories = aggregations.get("groups", {}).get("stories")
    if stories is not None:
        stories["value"] = int(stories.get("value", 0)) + joined
    total = int(words.get("hits", {}).get("total", {}).get("value", 0)) + joined
    return {
        "took": took,
        "timed_out": bool(words.get("timed_out")) or timed_out,
        "hits": {"total": {"value": total, "relation": "eq"}, "hits": hits},
        "aggregations": aggregations,
    }
