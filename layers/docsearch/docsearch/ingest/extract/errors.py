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

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled with its reason and detail whatever the subclass's arguments, so a skip raised in an
        extraction child (ingest/isolation.py) reaches the batch as it was raised."""
        return (_rebuilt, (type(self), self.reason, self.detail, self.__dict__))


def _rebuilt(cls: type[Unindexable], reason: str, detail: str, state: dict[str, object]) -> Unindexable:
    error = Exception.__new__(cls)
    Unindexable.__init__(error, reason, detail)
    error.__dict__.update(state)
    return error


class ReaderFailed(Unindexable):
    """A format reader raised what it did not foresee (a bug, or a library's own error on odd input).

    Skipped as ``extraction_error`` (the same bytes would fail again; docs/decisions/0006), never taken
    for a fetch error and retried; ``reader`` names the format and the original exception is the cause.
    """

    def __init__(self, reader: str, error: Exception) -> None:
        super().__init__("extraction_error", f"{type(error).__name__}: {error} (the {reader} reader)")
        self.reader = reader
