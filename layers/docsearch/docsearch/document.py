"""The stored document: its fields (``data/index.json``'s mapping), and how a document, a tombstone and a
skip record are built. Ingest writes them, search and status read them; this module imports nothing of either.

A *document* holds an article and what identifies the object it came from. A *tombstone* (``deleted: true``,
no text) replaces a key's document when its object is deleted, so a late older event cannot bring it back; a
*skip record* is a tombstone that also says why an object was not indexed (``skip_reason``, ``skip_detail``)
and which version that was (``content_hash`` or ``size``). No text query matches a tombstone (it has no title
or body); filters and lookups exclude it with ``TOMBSTONE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# What identifies the object a document came from.
BUCKET = "bucket"
KEY = "key"
SIZE = "size"
CONTENT_HASH = "content_hash"
SEQUENCER = "sequencer"  # the S3 event's order mark (normalized hex; "" for an unordered write)
INDEXED_AT = "indexed_at"
# The article (docsearch.ingest.article.Article's fields, stored under the same names).
ARTICLE_FIELDS = (
    *("title", "body", "source", "author", "published_at", "date_source"),
    *("editor", "dateline", "url", "format"),
)
SOURCE = "source"
SOURCE_KEY = "source_key"  # the outlet's (or channel's) normalized name (filters and facets)
OUTLET_KEY = "outlet_key"  # the outlet a channel belongs to (an outlet's own key otherwise): source filters
PUBLISHED_AT = "published_at"
DATE_SOURCE = "date_source"  # where published_at came from (ingest/extract/dates.py); absent when undated
# Grouping of copies of one story (see ingest/fingerprint.py).
PARAGRAPHS = "paragraphs"
STORY = "story"
# Tombstones and skip records.
DELETED = "deleted"
SKIP_REASON = "skip_reason"
SKIP_DETAIL = "skip_detail"

# Hybrid search: the article's vector and the model that made it (``with_vector``). Optional: a document
# whose embedding failed or was not asked for is stored without them (``docsearch backfill --vectors``).
EMBEDDING = "embedding"
EMBEDDED_WITH = "embedded_with"
VECTOR_FIELDS = frozenset({EMBEDDING, EMBEDDED_WITH})

STORED_FIELDS = frozenset(
    {BUCKET, KEY, SIZE, CONTENT_HASH, SEQUENCER, INDEXED_AT, SOURCE_KEY, OUTLET_KEY, PARAGRAPHS, STORY, DELETED}
    | {SKIP_REASON, SKIP_DETAIL}
    | set(ARTICLE_FIELDS)
    | VECTOR_FIELDS
)
# What an ingest batch reads of a key before it decides its write (one _mget; see ingest/state.py).
STATE_FIELDS = [SEQUENCER, CONTENT_HASH, DELETED, SKIP_REASON, SIZE]
# The filter that matches tombstones and skip records: searches and lookups put it under must_not.
TOMBSTONE: dict[str, Any] = {"term": {DELETED: True}}
# A skip record's detail is for a person reading `docsearch status`: a parser's message, an engine's refusal.
MAX_SKIP_DETAIL_CHARS = 500


@dataclass(frozen=True)
class SkipRecord:
    """Why an object was not indexed, and what identifies the version that was skipped."""

    reason: str
    detail: str
    content_hash: str | None = None
    size: int | None = None


def stamp(now: datetime | None = None) -> str:
    """``indexed_at``: when the document was written, to the second."""
    return (now or datetime.now(UTC)).isoformat(timespec="seconds")


def document(
    bucket: str,
    key: str,
    article: dict[str, Any],
    *,
    grouping: tuple[str | None, list[str], str],
    outlet_key: str | None = None,
    size: int,
    content_hash: str,
    sequencer: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A live document: ``article`` (the ARTICLE_FIELDS), ``grouping`` (source key, paragraph hashes, story),
    ``outlet_key`` (the outlet the source key belongs to)."""
    source_key, paragraphs, story = grouping
    return {
        BUCKET: bucket,
        KEY: key,
        **{name: article.get(name) for name in ARTICLE_FIELDS},
        SOURCE_KEY: source_key,
        OUTLET_KEY: outlet_key,
        PARAGRAPHS: paragraphs,
        STORY: story,
        SIZE: size,
        CONTENT_HASH: content_hash,
        SEQUENCER: sequencer,
        DELETED: False,
        INDEXED_AT: stamp(now),
    }


def with_vector(doc: dict[str, Any], vector: list[float], model: str) -> dict[str, Any]:
    """``doc`` with its article's vector (hybrid search) and the name of the model that made it."""
    return {**doc, EMBEDDING: vector, EMBEDDED_WITH: model}


def tombstone(
    bucket: str, key: str, sequencer: str, skipped: SkipRecord | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """A deleted key (or, with ``skipped``, a skip record): no text, the order mark it keeps."""
    doc: dict[str, Any] = {BUCKET: bucket, KEY: key, DELETED: True, SEQUENCER: sequencer, INDEXED_AT: stamp(now)}
    if skipped is not None:
        doc[SKIP_REASON] = skipped.reason
        doc[SKIP_DETAIL] = skipped.detail[:MAX_SKIP_DETAIL_CHARS]
        if skipped.content_hash is not None:
            doc[CONTENT_HASH] = skipped.content_hash
        if skipped.size is not None:
            doc[SIZE] = skipped.size
    return doc


def refused(doc: dict[str, Any], sequencer: str, detail: str) -> dict[str, Any]:
    """The skip record that replaces a document the engine refused: same key, order mark and content hash."""
    skipped = SkipRecord("engine_rejected", detail, doc.get(CONTENT_HASH), doc.get(SIZE))
    return tombstone(str(doc.get(BUCKET)), str(doc.get(KEY)), sequencer, skipped)


def order_mark(sequencer: str) -> dict[str, str]:
    """The partial update that moves a key's order mark forward (same content, newer event)."""
    return {SEQUENCER: sequencer}
