"""Object bytes -> article (title, clean body, metadata)."""

from __future__ import annotations

import unicodedata

from docsearch.article import Article


class Unindexable(Exception):
    """The object cannot become an article; it is skipped with this reason, never retried."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


METADATA_FIELDS = ("title", "source", "author", "published-at")


def decode_text(data: bytes) -> str:
    if not data.strip():
        raise Unindexable("empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unindexable("undecodable", str(error)) from error
    if "\x00" in text:
        raise Unindexable("binary", "NUL bytes in a text object")
    return unicodedata.normalize("NFC", text)


def extract_article(data: bytes, metadata: dict[str, str] | None = None) -> Article:
    """Plain text: the first non-empty line is the title, the rest is the body.

    S3 user metadata (``x-amz-meta-title`` and friends) overrides what is extracted.
    """
    lines = [line.strip() for line in decode_text(data).splitlines()]
    lines = [line for line in lines if line]
    title = lines[0].lstrip("# ").strip()
    body = "\n".join(lines[1:]) or title
    meta = {k: v.strip() for k, v in (metadata or {}).items() if k in METADATA_FIELDS and v.strip()}
    return Article(
        title=meta.get("title", title),
        body=body,
        source=meta.get("source"),
        author=meta.get("author"),
        published_at=meta.get("published-at"),
    )
