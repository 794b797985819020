"""gzip (``.gz``) of any other format: the name inside decides the format (``a.html.gz`` is HTML).

Decompressed in steps of at most ``STEP_BYTES`` output, so a bomb costs no more memory than the
largest object the function accepts: past ``limits.max_bytes`` unpacked, or past ``MAX_RATIO`` times
its own size, the object is skipped as ``too_large`` without unpacking the rest.
"""

from __future__ import annotations

import zlib
from typing import Any

from docsearch.ingest.extract.errors import Unindexable
from docsearch.ingest.extract.readers.base import HEAD_BYTES, Reading, ReadLimits

MAGIC = b"\x1f\x8b"
GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around a deflate stream
STEP_BYTES = 1024 * 1024  # unpacked per step: the overshoot past a limit is at most this
# Input per step: zlib copies a member's unused input, so whole-object steps would make many tiny members
# quadratic (10 MB of 20-byte empty members: 500,000 copies of up to 10 MB); 64 KiB keeps each copy small.
INPUT_STEP = 64 * 1024
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
    ``invalid_gzip`` for a damaged or truncated stream. Never holds more than ``cap + STEP_BYTES``
    unpacked, and takes its input ``INPUT_STEP`` bytes at a time, so many tiny members cost linear time."""
    out = bytearray()
    members = position = 0
    unpacker: Any = None
    pending = b""
    while True:
        if not pending and position < len(data):
            pending, position = data[position : position + INPUT_STEP], position + INPUT_STEP
        if unpacker is None:
            pending = pending.lstrip(b"\x00")  # zero padding after the last member
            if not pending and position >= len(data):
                break
            unpacker, members = (zlib.decompressobj(GZIP_WBITS), members + 1) if pending else (None, members)
            continue
        out += _unpack_step(unpacker, pending, ended=position >= len(data))
        _check_size(len(out), cap)
        pending, unpacker = (unpacker.unused_data, None) if unpacker.eof else (unpacker.unconsumed_tail, unpacker)
    if not members:
        raise Unindexable("invalid_gzip", "no gzip stream")
    return bytes(out)


def _unpack_step(unpacker: Any, pending: bytes, *, ended: bool) -> bytes:
    """At most STEP_BYTES more of the member; a stream that stops before its end marker is invalid_gzip."""
    try:
        chunk: bytes = unpacker.decompress(pending, STEP_BYTES)
    except zlib.error as error:
        raise Unindexable("invalid_gzip", str(error)) from error
    if not chunk and ended and not unpacker.eof and not unpacker.unconsumed_tail:
        raise Unindexable("invalid_gzip", "the gzip stream ends before its end marker")
    return chunk


def _check_size(size: int, cap: int) -> None:
    if size > cap:
        raise Unindexable("too_large", f"unpacks past {cap} bytes")


READER = GzipReader()
