"""Text normalisation shared by documents and queries, so both sides of a match see the same characters."""

from __future__ import annotations

import re
import unicodedata

# Unicode category Cf (format characters: zero-width space and joiners, LTR/RTL marks and embeddings,
# soft hyphen, BOM, invisible operators, tags), as ranges rather than a scan of every code point at
# import (cold start). Unicode 15.0, Python 3.12's table; a unit test checks it against unicodedata.
FORMAT_CHARS = re.compile(
    "["
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
    "]+"
)


def normalize_text(text: str) -> str:
    """NFC, with invisible format characters removed ("Ko\u200brea" is "Korea" to a reader, so to search too)."""
    if text.isascii():  # no format character, already NFC (and isascii is a flag, not a scan)
        return text
    return unicodedata.normalize("NFC", FORMAT_CHARS.sub("", text))
