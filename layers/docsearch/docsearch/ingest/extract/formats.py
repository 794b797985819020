"""Which reader an object needs, from its key's extension and its content type."""

from __future__ import annotations

from typing import Literal

from docsearch.ingest.extract.errors import Unindexable

Format = Literal["txt", "md", "html", "json"]

EXTENSIONS: dict[str, Format] = {
    "txt": "txt",
    "text": "txt",
    "md": "md",
    "markdown": "md",
    "html": "html",
    "htm": "html",
    "xhtml": "html",
    "json": "json",
}
CONTENT_TYPES: dict[str, Format] = {
    "text/plain": "txt",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/json": "json",
    "text/json": "json",
}
GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}


def detect_format(key: str, content_type: str = "") -> Format:
    """A known extension decides; else a specific content type (S3 default types say nothing); else skip."""
    name = key.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in CONTENT_TYPES:
        return CONTENT_TYPES[media_type]
    what = f"extension .{extension}" if extension else "no extension"
    kind = media_type if media_type not in GENERIC_TYPES else "a generic content type"
    raise Unindexable("unsupported_format", f"{what} and {kind}; readable: {', '.join(sorted(EXTENSIONS))}")
