"""The format readers, found here: every module of this package that defines ``READER`` is one.

Which reader an object needs: the key's extension decides; else a specific content type (S3's default
types say nothing); else a reader that recognises the object's first bytes; else it is skipped as
``unsupported_format``. The pipeline (``ingest/extract``), the CLI's upload types and the layer's
bytecode step all read this registry, so a new format is one module here and its tests.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from docsearch.ingest.extract.errors import Unindexable
from docsearch.ingest.extract.readers.base import HEAD_BYTES, Reader, Reading, ReadLimits

__all__ = [
    "HEAD_BYTES",
    "ReadLimits",
    "Reader",
    "Reading",
    "lazy_imports",
    "reader_for",
    "readers",
    "unpacked_bound",
    "upload_type",
]

GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
DEFAULT_FORMAT = "txt"  # bytes with neither key nor content type (a test, a pasted string) are read as text


@lru_cache(maxsize=1)
def readers() -> tuple[Reader, ...]:
    """Every reader, by name. Importing one imports none of its libraries (they load on first read)."""
    found: list[Reader] = []
    for module in pkgutil.iter_modules(__path__):
        reader = getattr(importlib.import_module(f"{__name__}.{module.name}"), "READER", None)
        if reader is not None:
            found.append(reader)
    return tuple(sorted(found, key=lambda reader: reader.name))


def reader_for(key: str, content_type: str = "", head: bytes = b"") -> Reader:
    """The reader for an object; raise Unindexable (``unsupported_format``) when none claims it."""
    extension = suffix(key)
    media_type = content_type.split(";", 1)[0].strip().lower()
    reader = (
        next((r for r in readers() if extension in r.suffixes), None)
        or next((r for r in readers() if media_type in r.content_types), None)
        or next((r for r in readers() if r.detect(key, head[:HEAD_BYTES])), None)
    )
    if reader is not None:
        return reader
    if not key and not content_type:
        return _by_name(DEFAULT_FORMAT)
    what = f"extension .{extension}" if extension else "no extension"
    kind = media_type if media_type not in GENERIC_TYPES else "a generic content type"
    readable = ", ".join(sorted(s for r in readers() for s in r.suffixes))
    raise Unindexable("unsupported_format", f"{what} and {kind}; readable: {readable}")


def suffix(key: str) -> str:
    """The extension of a key's file name, lower case ("" for none): ``a/b.HTML.gz`` -> ``gz``."""
    name = key.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def unpacked_bound(key: str, size: int, limits: ReadLimits | None = None) -> int:
    """The most bytes an object of this key and stored size can unpack to (``size`` unless a container
    reader claims its extension): what a batch's memory waves and CPU budget should count it as."""
    extension = suffix(key)
    reader = next((r for r in readers() if extension in r.suffixes), None)
    return reader.unpacked_bound(size, limits or ReadLimits()) if reader else size


def upload_type(name: str) -> str | None:
    """The content type to send a file of this name with, if a reader claims its extension."""
    extension = suffix(name)
    return next((r.upload_type for r in readers() if extension in r.suffixes), None)


def lazy_imports() -> tuple[str, ...]:
    """The libraries readers import on first use (the layer build compiles their bytecode ahead)."""
    return tuple(name for reader in readers() for name in reader.imports_on_first_use)


def _by_name(name: str) -> Reader:
    return next(reader for reader in readers() if reader.name == name)
