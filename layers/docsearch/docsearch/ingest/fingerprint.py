"""Near-duplicates: syndicated copies of one story share whole paragraphs, so they share a ``story``.

At ingest each document gets ``paragraphs``: short hashes of its substantial paragraphs, normalised
(case, accents, punctuation and spacing do not count), and ``story``: the story of an indexed document
(or of one earlier in the same batch) with which it shares at least half of the smaller one's
paragraphs, else a story of its own. Search collapses results on ``story`` (``search/grouping.py``).

A story of its own is not just the document's id: it is the smallest hash of two consecutive
paragraphs (a min-hash over paragraph pairs), so copies that arrive at the same time, in batches that
cannot yet see each other's writes (the engine shows a write about a second later), still meet when
they share their paragraphs whole. Two paragraphs in a row, not one, so a shared quote is not a story.
A dateline ("JAKARTA, KOMPAS.com -") is already cut off by extraction; a copy that adds a paragraph or
two, or drops its last ones, still shares most of them. What stays open: concurrent copies that differ
in the pair that holds the smallest hash stay apart until one of them is uploaded again.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from itertools import pairwise
from typing import Any

from opensearchpy import OpenSearch

MIN_PARAGRAPH_WORDS = 8  # shorter lines ("Baca juga", a one-line quote) say nothing about the story
MAX_PARAGRAPHS = 64  # enough to recognise a story; bounds the stored field and the lookup
CANDIDATES = 10  # indexed documents compared with each new one
SHARED_FRACTION = 0.5
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
    """A document's story when no copy of it is known yet (see the module doc)."""
    if len(paragraphs) == 1:
        return f"p{paragraphs[0]}"
    pairs = [hashlib.blake2b(f"{a}{b}".encode(), digest_size=8).hexdigest() for a, b in pairwise(paragraphs)]
    return f"p{min(pairs)}" if pairs else doc_id


def same_story(mine: list[str], theirs: list[str]) -> bool:
    """Whether two documents share whole paragraphs enough to be copies of one story."""
    smaller = min(len(mine), len(theirs))
    shared = len(set(mine) & set(theirs))
    return smaller > 0 and shared >= min(2, smaller) and shared >= SHARED_FRACTION * smaller


def assign_stories(client: OpenSearch, index: str, documents: dict[str, dict[str, Any]]) -> None:
    """Set ``story`` on each of ``documents`` (id -> document with ``paragraphs`` and its own ``story``).

    One ``POST <index>/_msearch`` for the whole batch (the path the ingest role is granted).
    """
    ids = list(documents)
    searches: list[dict[str, Any]] = []
    for doc_id in ids:
        searches += [{"index": index}, _candidates_query(doc_id, documents[doc_id]["paragraphs"], ids)]
    answers = client.msearch(index=index, body=searches)["responses"] if searches else []
    earlier: list[tuple[str, dict[str, Any]]] = []
    for doc_id, answer in zip(ids, answers, strict=True):
        document = documents[doc_id]
        found = [
            (hit["_source"].get("story") or hit["_id"], hit["_source"])
            for hit in answer.get("hits", {}).get("hits", [])
        ]
        story = next(
            (
                story
                for story, other in [*found, *earlier]
                if same_story(document["paragraphs"], list(other.get("paragraphs") or []))
            ),
            document["story"],
        )
        document["story"] = story
        earlier.append((story, document))


def _candidates_query(doc_id: str, paragraphs: list[str], batch_ids: list[str]) -> dict[str, Any]:
    """The indexed documents sharing the most of ``paragraphs`` (each shared paragraph scores 1)."""
    shared = [{"constant_score": {"filter": {"term": {"paragraphs": p}}}} for p in paragraphs]
    return {
        "size": CANDIDATES if paragraphs else 0,
        "_source": ["paragraphs", "story"],
        "sort": ["_score", {"indexed_at": "asc"}],  # then the oldest copy: a story keeps its first id
        "query": {
            "bool": {
                "should": shared or [{"match_none": {}}],
                "minimum_should_match": 1,
                "must_not": [{"term": {"deleted": True}}, {"ids": {"values": batch_ids or [doc_id]}}],
            }
        },
    }
