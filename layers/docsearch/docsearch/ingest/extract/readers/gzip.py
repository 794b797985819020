"""gzip (``.gz``) of any other format: the name inside decides the format (``a.html.gz`` is HTML).

Decompressed in steps of at most ``STEP_BYTES`` output, so a bomb costs no more memory than the
largest object the function accepts: past ``limits.max_bytes`` unpacked, or past ``MAX_RATIO`` times
its own size, the object is skipped as ``too_large`` without unpacking the rest.
"""

from __future__ import annotations

import zlib

from docsearch.ingest.extract.errors import Unindexable
from docsearch.ingest.extract.readers.base import HEAD_BYTES, Reading, ReadLimits

MAGIC = b"\x1f\x8b"
GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around a deflate stream
STEP_BYTES = 1024 * 1024  # unpacked per step: the overshoot past a limit is at most this
# Articles compress a few times (measured, gzip -6: the five seed articles 1.9-4.0x, the sample HTML pages
# 1.7-2.1x); one line repeated 400,000 times reaches 411x: a bomb, not an archive. 100 leaves a 25x margin.
MAX_RATIO = 100


class GzipReader:
    name = "gzip"
    suffixes = ("gz", "gzip")
    content_types = ("application/gzip", "application/x-gzip")
    upload_type = "application/gzip"
    imports_on_first_use: tuple[str, ...] = ()

    def detect(self, key: str, head: bytes) -> bool:
        return head.startswith(MAGIC)

    def unpacked_bound(self, size: int, limits: ReadLimits) -> int:
        return min(limits.max_bytes, max(size, 1) * MAX_RATIO)

    def read(self, data: bytes, key: str, limits: ReadLimits) -> Reading:
        from docsearch.ingest.extract.readers import reader_for  # the registry holds this module

        inner_key = inner_name(key)
        inner = gunzip(data, self.unpacked_bound(len(data), limits))
        reader = reader_for(inner_key, "", inner[:HEAD_BYTES])
        if reader.name == self.name:
            raise Unindexable("unsupported_format", "gzip inside gzip")
        return reader.read(inner, inner_key, limits)


def inner_name(key: str) -> str:
    """``a/b.html.gz`` -> ``a/b.html``: the key of the file that was compressed."""
    stem, _, extension = key.rpartition(".")
    return stem if stem and extension.lower() in GzipReader.suffixes else key


def gunzip(data: bytes, cap: int) -> bytes:
    """``data`` unpacked (every gzip member in turn); Unindexable ``too_large`` past ``cap`` bytes,
    ``invalid_gzip`` for a damaged or truncated stream. Never holds more than ``cap + STEP_BYTES``."""
    out = bytearray()
    pending = data
    while True:
        unpacker = zlib.decompressobj(GZIP_WBITS)
        try:
            while not unpacker.eof:
                chunk = unpacker.decompress(pending, STEP_BYTES)
                pending = unpacker.unconsumed_tail
                if not chunk and not pending:
                    raise Unindexable("invalid_gzip", "the gzip stream ends before its end marker")
                out += chunk
                _check_size(len(out), cap)
        except zlib.error as error:
            raise Unindexable("invalid_gzip", str(error)) from error
        pending = unpacker.unused_data.lstrip(b"\x00")  # the next member; zero padding after the last one
        if not pending:
            break
    return bytes(out)


def _check_size(size: int, cap: int) -> None:
    if size > cap:
        raise Unindexable("too_large", f"unpacks past {cap} bytes")


READER = GzipReader()
