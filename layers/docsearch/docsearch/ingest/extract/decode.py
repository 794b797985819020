"""Object bytes -> text: charset, BOM, binary detection, NFC, invisible characters, mojibake repair.

Decoding is by trial, which is exact for what uploads actually are: UTF-8 validates
itself (a Windows-1252 or Latin-1 file with any accented letter or curly quote is
almost never valid UTF-8); anything else is read as Windows-1252, which maps every
printable Latin-1 character identically and adds the curly quotes and dashes in
0x80-0x9F; the five bytes it leaves undefined fall back to Latin-1.
"""

from __future__ import annotations

import codecs
import re

from docsearch.ingest.extract.errors import Unindexable
from docsearch.text import normalize_text

BINARY_SIGNATURES = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x7fELF",
    b"RIFF",
    b"\xd0\xcf\x11\xe0",
    b"BZh",
    b"7z\xbc\xaf",
)
MAX_CONTROL_RATIO = 0.01  # more control characters than this and it is not text
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# UTF-8 read as Windows-1252 somewhere upstream: "â€œ" for "“", "Ã©" for "é".
_CONTINUATION = r"[\x80-\xbf\u2018-\u203a\u0152-\u0178\u02c6\u02dc\u20ac\u2122]"  # a byte 0x80-0xBF as 1252 shows it
MOJIBAKE = re.compile(rf"[âÃÂ]{_CONTINUATION}")
# Runs of whole UTF-8 sequences read as Latin-1 or Windows-1252, any script: "Ù\x84Ù\x8e" for "لَ" (a scraped
# Arabic verse in an Indonesian article). Repaired run by run when the text as a whole cannot be.
MOJIBAKE_RUN = re.compile(
    rf"(?:[\xc2-\xdf]{_CONTINUATION}|[\xe0-\xef]{_CONTINUATION}{{2}}|[\xf0-\xf4]{_CONTINUATION}{{3}})+"
)
C1_CONTROL = re.compile(r"[\x80-\x9f]")  # never in text: the bytes of a UTF-8 sequence read as Latin-1


def decode_bytes(data: bytes) -> str:
    """Decode ``data`` to NFC text, or raise Unindexable (``empty`` or ``binary``)."""
    if not data.strip():
        raise Unindexable("empty", "the object has no text")
    if data.startswith(BINARY_SIGNATURES):
        raise Unindexable("binary", "the object starts with a binary file signature")
    if data.startswith(UTF16_BOMS):
        text = data.decode("utf-16")
    elif b"\x00" in data:
        raise Unindexable("binary", "NUL bytes in a text object")
    else:
        text = _decode_8bit(data)
    text = normalize_text(_repair_mojibake(text))  # NFC; BOM and other invisible format characters out
    if not text.strip():
        raise Unindexable("empty", "the object has only whitespace")
    if "\x00" in text:
        raise Unindexable("binary", "NUL characters in a text object")
    controls = len(CONTROL.findall(text))
    if controls > max(1, len(text) * MAX_CONTROL_RATIO):
        raise Unindexable("binary", f"{controls} control characters in {len(text)}")
    return text


def _decode_8bit(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _repair_mojibake(text: str) -> str:
    """Undo one round of UTF-8-read-as-Windows-1252, only where it clearly happened."""
    if not MOJIBAKE.search(text):
        return _repair_runs(text) if C1_CONTROL.search(text) else text
    try:
        repaired = b"".join(_cp1252_byte(ch) for ch in text).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return _repair_runs(text) if C1_CONTROL.search(text) else text
    return repaired if len(MOJIBAKE.findall(repaired)) < len(MOJIBAKE.findall(text)) else text


def _repair_runs(text: str) -> str:
    """Each run of UTF-8 sequences read as 8-bit text, decoded back; a run that is not UTF-8 stays."""

    def back(match: re.Match[str]) -> str:
        try:
            return b"".join(_cp1252_byte(ch) for ch in match[0]).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return match[0]

    return MOJIBAKE_RUN.sub(back, text)


def _cp1252_byte(ch: str) -> bytes:
    """The byte Windows-1252 gives ``ch``; the five bytes it leaves undefined pass through as themselves."""
    try:
        return ch.encode("cp1252")
    except UnicodeEncodeError:
        if ord(ch) < 256:
            return bytes([ord(ch)])
        raise
