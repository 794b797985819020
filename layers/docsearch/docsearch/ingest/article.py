"""The article: what extraction produces and what the index stores."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from docsearch.document import document
from docsearch.ingest.fingerprint import own_story, paragraph_hashes
from docsearch.outlets import source_key


def document_id(bucket: str, key: str) -> str:
    """Stable id from bucket and key: re-uploading a key replaces its document."""
    return hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Article:
    title: str
    body: str
    source: str | None = None
    author: str | None = None
    published_at: str | None = None  # ISO date, YYYY-MM-DD
    editor: str | None = None
    dateline: str | None = None  # the city of the dateline ("Jakarta")
    url: str | None = None
    format: str = "txt"  # txt, md, html or json


@dataclass(frozen=True)
class IndexedArticle:
    """An article with the facts about the object it came from."""

    bucket: str
    key: str
    article: Article
    size: int
    content_hash: str
    sequencer: str = ""

    @property
    def id(self) -> str:
        return document_id(self.bucket, self.key)

    def to_document(self, now: datetime | None = None) -> dict[str, Any]:
        """The stored document (``docsearch.document``); its story is its own until assign_stories finds a copy."""
        paragraphs = paragraph_hashes(self.article.body)
        return document(
            self.bucket,
            self.key,
            asdict(self.article),
            grouping=(source_key(self.article.source), paragraphs, own_story(paragraphs, self.id)),
            size=self.size,
            content_hash=self.content_hash,
            sequencer=self.sequencer,
            now=now,
        )
