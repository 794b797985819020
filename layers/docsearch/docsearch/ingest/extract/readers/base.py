"""What a format reader is, what it is given and what it gives back.

A reader claims the key suffixes and content types of its format, may recognise its format from the
object's first bytes (``detect``), and turns the object's raw bytes into a ``Reading``: the body text and
what the document says about itself. It decodes its own bytes (a text format its charset, a binary
format its container), and raises ``Unindexable`` with a reason for an object it cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from docsearch.ingest.extract.metadata import TextMeta
from docsearch.settings import DEFAULT_MAX_OBJECT_BYTES

HEAD_BYTES = 512  # what detect() sees: every file signature we know sits in the first few bytes


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what reading one object may produce (Settings.max_object_bytes for the object itself)."""

    max_bytes: int = DEFAULT_MAX_OBJECT_BYTES  # the most bytes a container may unpack to


@dataclass
class Reading:
    """A reader's result: the body and the document's own metadata, before S3 metadata overrides it."""

    body: str
    format: str  # the reader's name, stored as the document's format
    meta: TextMeta = field(default_factory=TextMeta)
    url: str | None = None


class Reader(Protocol):
    """One format. Modules in this package that define ``READER`` are the registry."""

    name: str  # the format's name: stored as the document's format, listed in skip reasons
    suffixes: tuple[str, ...]  # key extensions it claims, lower case, without the dot
    content_types: tuple[str, ...]  # media types it claims (S3's generic types claim nothing)
    upload_type: str  # the content type the CLI sends with a file of this format
    imports_on_first_use: tuple[str, ...]  # modules read() imports lazily (the layer compiles them ahead)

    def detect(self, key: str, head: bytes) -> bool:
        """True if ``head`` (the first HEAD_BYTES) is surely this format; used when suffix and type say nothing."""
        ...

    def read(self, data: bytes, key: str, limits: ReadLimits) -> Reading:
        """The document in ``data``; raise Unindexable with a reason when there is none."""
        ...

    def unpacked_bound(self, size: int, limits: ReadLimits) -> int:
        """The most bytes an object of ``size`` stored bytes can become before its text is read (its size,
        unless the format is a container): what memory and CPU budgets should count it as."""
        ...
