"""Why an object cannot become an article."""

from __future__ import annotations


class Unindexable(Exception):
    """The object cannot become an article; it is skipped with this reason, never retried.

    ``reason`` is a short, stable token (``empty``, ``binary``, ``unsupported_format``,
    ``invalid_json``, ``no_article_text``, ...) used in logs and metrics.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
