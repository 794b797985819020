"""Near-duplicates: syndicated copies of one story share whole paragraphs, so they share a ``story``.

At ingest each document gets ``paragraphs``: short hashes of its substantial paragraphs, normalised
(case, accents, punctuation and spacing do not count), and ``story``: the story of an indexed document
(or of one earlier in the same batch) of which it is a copy (``same_story``), else a story of its own.
Search collapses results on ``story`` (``search/grouping.py``).

A copy shares at least half of the smaller one's paragraphs (two at least) and either a lead (the first
paragraph of one is among the other's) or most of them (``COPY_FRACTION``). Grouping is for copies, not
for stories that share background: a follow-up with its own lead that repeats two background paragraphs
of the first report ("two commissions' statements on the same death") is a story of its own.

A story of its own is not just the document's id: it is the hash of its first two paragraphs, so copies
that arrive at the same time, in batches that cannot yet see each other's writes (the engine shows a
write about a second later), still meet when they open alike; a follow-up that repeats the first report's
background under a new lead does not. A dateline ("JAKARTA, KOMPAS.com -") is already cut off by
extraction; a copy that adds a paragraph or two, or drops its last ones, still shares most of them.
What stays open: concurrent copies that open differently stay apart until one of them is uploaded again.
Stories are set at ingest: an index built before this rule keeps its groups until it is rebuilt from the
bucket (``docsearch reindex --from-bucket``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from opensearchpy import OpenSearch

from docsearch.document import PARAGRAPHS, STORY, TOMBSTONE

MIN_PARAGRAPH_WORDS = 8  # shorter lines ("Baca juga", a one-line quote) say nothing about the story
MAX_PARAGRAPHS = 64  # enough to recognise a story; bounds the stored field and the lookup
CANDIDATES = 10  # indexed documents compared with each new one
BATCH_CANDIDATES = 100  # indexed documents one search for a whole batch reads (more: a search per document)
SHARED_FRACTION = 0.5
# Copies whose leads differ (an outlet rewrote the opening) share most of the rest: three of four at least
# (tests/integration/test_newsroom_results.py's copies). A follow-up repeating background shares less: two of
# four in the report's example (two paragraphs of background under each commission's own statement).
COPY_FRACTION = 0.75
_WORD = re.compile(r"\w+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def paragraph_hashes(body: str) -> list[str]:
    """Hashes of the body's normalised paragraphs of ``MIN_PARAGRAPH_WORDS`` words or more, in order."""
    hashes: list[str] = []
    for line in body.splitlines():
        words = _WORD.findall(_fold(line))
        if len(words) < MIN_PARAGRAPH_WORDS:
            continue
        digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).hexdigest()
        if digest not in hashes:
            hashes.append(digest)
        if len(hashes) == MAX_PARAGRAPHS:
            break
    return hashes


def _fold(line: str) -> str:
    """Case and accents folded: casefold, NFKD, combining marks dropped (an ASCII line only lower-cased)."""
    if line.isascii():
        return line.lower()
    folded = unicodedata.normalize("NFKD", line.casefold())
    return _NON_ASCII.sub(_drop_combining, folded)


def _drop_combining(match: re.Match[str]) -> str:
    return "" if unicodedata.combining(match.group()) else match.group()


def own_story(paragraphs: list[str], doc_id: str) -> str:
    """A document's story when no copy of it is known yet: its opening (see the module doc)."""
    if len(paragraphs) == 1:
        return f"p{paragraphs[0]}"
    if not paragraphs:
        return doc_id
    return "p" + hashlib.blake2b(f"{paragraphs[0]}{paragraphs[1]}".encode(), digest_size=8).hexdigest()


def same_story(mine: list[str], theirs: list[str]) -> bool:
    """Whether two documents are copies of one story: enough whole paragraphs shared, and a lead or most."""
    smaller = min(len(mine), len(theirs))
    shared = len(set(mine) & set(theirs))
    if smaller == 0 or shared < min(2, smaller) or shared < SHARED_FRACTION * smaller:
        return False
    lead_shared = mine[0] in theirs or theirs[0] in mine
    return lead_shared or shared >= COPY_FRACTION * smaller


def assign_stories(client: OpenSearch, index: str, documents: dict[str, dict[str, Any]]) -> None:
    """Set ``story`` on each of ``documents`` (id -> document with ``paragraphs`` and its own ``story``).

    Each takes the story of the first of its candidates (``candidates``), then of the documents before it
    in the batch, that is a copy of it (``same_story``); else it keeps its own.
    """
    ids = list(documents)
    found = candidates(client, index, documents)
    earlier: list[tuple[str, dict[str, Any]]] = []
    for doc_id in ids:
        document = documents[doc_id]
        story = next(
            (
                story
                for story, other in [*found[doc_id], *earlier]
                if same_story(document[PARAGRAPHS], list(other.get(PARAGRAPHS) or []))
            ),
            document[STORY],
        )
        document[STORY] = story
        earlier.append((story, document))


def candidates(
    client: OpenSearch, index: str, documents: dict[str, dict[str, Any]]
) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Per document, the indexed ones sharing the most of its paragraphs (at most CANDIDATES; on a tie, the
    oldest first), as (story, source).

    One search reads every indexed document that shares a paragraph with any of the batch: most articles
    share none, and ten searches of up to 64 terms cost the engine about three times as much CPU (make
    bench's machine). Only when more than BATCH_CANDIDATES match does each document get its own search
    for its best ones, all in one ``_msearch``. Both go to ``<index>/_msearch``, the path the ingest role
    is granted.
    """
    ids = list(documents)
    wanted = sorted({p for doc in documents.values() for p in doc[PARAGRAPHS]})
    if not wanted:
        return {doc_id: [] for doc_id in ids}
    answer = client.msearch(index=index, body=[{"index": index}, _batch_query(wanted, ids)])["responses"][0]
    hits = answer.get("hits", {})
    if int(hits.get("total", {}).get("value", 0)) <= len(hits.get("hits", [])):  # every match is here
        return {doc_id: _best(documents[doc_id][PARAGRAPHS], hits.get("hits", [])) for doc_id in ids}
    searches: list[dict[str, Any]] = []
    for doc_id in ids:
        searches += [{"index": index}, _candidates_query(doc_id, documents[doc_id][PARAGRAPHS], ids)]
    answers = client.msearch(index=index, body=searches)["responses"]
    return {
        doc_id: [_found(hit) for hit in a.get("hits", {}).get("hits", [])]
        for doc_id, a in zip(ids, answers, strict=True)
    }


def _best(paragraphs: list[str], hits: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """What ``_candidates_query`` would find among ``hits`` (which come oldest first, as its ties do)."""
    mine = set(paragraphs)
    shared = [(len(mine.intersection(hit["_source"].get(PARAGRAPHS) or [])), hit) for hit in hits]
    ranked = sorted((pair for pair in shared if pair[0]), key=lambda pair: -pair[0])  # stable: oldest first on a tie
    return [_found(hit) for _, hit in ranked[:CANDIDATES]]


def _found(hit: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return hit["_source"].get(STORY) or hit["_id"], hit["_source"]


def _not_candidates(batch_ids: list[str]) -> list[dict[str, Any]]:
    """Tombstones, and the batch's own documents (they are compared in the batch, as they are now)."""
    return [TOMBSTONE, {"ids": {"values": batch_ids}}]


def _batch_query(paragraphs: list[str], batch_ids: list[str]) -> dict[str, Any]:
    """Every indexed document sharing one of ``paragraphs``, up to BATCH_CANDIDATES, oldest first."""
    return {
        "size": BATCH_CANDIDATES,
        "track_total_hits": BATCH_CANDIDATES + 1,
        "_source": [PARAGRAPHS, STORY],
        "sort": [{"indexed_at": "asc"}, "_doc"],
        "query": {"bool": {"filter": [{"terms": {PARAGRAPHS: paragraphs}}], "must_not": _not_candidates(batch_ids)}},
    }


def _candidates_query(doc_id: str, paragraphs: list[str], batch_ids: list[str]) -> dict[str, Any]:
    """The indexed documents sharing the most of ``paragraphs`` (each shared paragraph scores 1)."""
    shared = [{"constant_score": {"filter": {"term": {PARAGRAPHS: p}}}} for p in paragraphs]
    return {
        "size": CANDIDATES if paragraphs else 0,
        "_source": [PARAGRAPHS, STORY],
        "sort": ["_score", {"indexed_at": "asc"}, "_doc"],  # then the oldest copy: a story keeps its first id
        "query": {
            "bool": {
                "should": shared or [{"match_none": {}}],
                "minimum_should_match": 1,
                "must_not": _not_candidates(batch_ids or [doc_id]),
            }
        },
    }
