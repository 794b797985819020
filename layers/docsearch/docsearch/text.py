"""Text normalisation shared by documents and queries, so both sides of a match see the same characters.

Also the plain-text helpers every output shares: tags out of a plain-text field, a length cap.
"""

from __future__ import annotations

import re
import unicodedata

# Unicode category Cf (format characters: zero-width space and joiners, LTR/RTL marks and embeddings,
# soft hyphen, BOM, invisible operators, tags), as ranges rather than a scan of every code point at
# import (cold start). Unicode 15.0, Python 3.12's table; a unit test checks it against unicodedata.
_CF = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
FORMAT_CHARS = re.compile(f"[{_CF}]+")
# Unicode category Co (private use: the BMP's U+E000-U+F8FF, planes 15 and 16). No font shows them the same
# way and no reader types them; the highlighter's own markers are two of them (search/query.py MARK_OPEN),
# so a document holding one would unbalance the <mark> tags of its title (issue 21). A unit test checks
# the ranges against unicodedata.
PRIVATE_USE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
INVISIBLE_CHARS = re.compile(f"[{_CF}{PRIVATE_USE}]+")
# A tag as an HTML parser would read one: '<', an optional '/', a letter or '!' (comment, doctype), up to
# the next '>'. '<' or '>' inside it end it, so the scan is linear on any input; "a < b" is no tag.
TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^<>]*>")


# C0 and C1 control characters but tab, line feed and carriage return: no text means them, a terminal obeys
# them (ESC sequences), and lxml refuses a string holding one ("All strings must be XML compatible").
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")


def without_controls(text: str) -> str:
    """``text`` without control characters (tab and line breaks kept)."""
    return CONTROL_CHARS.sub("", text)


def normalize_text(text: str) -> str:
    """NFC, with invisible characters removed ("Ko\u200brea" is "Korea" to a reader, so to search too).

    Invisible: format characters (Cf) and private-use characters (Co).
    """
    if text.isascii():  # no format character, already NFC (and isascii is a flag, not a scan)
        return text
    return unicodedata.normalize("NFC", INVISIBLE_CHARS.sub("", text))


def strip_tags(text: str) -> str:
    """A plain-text field without anything a browser would read as a tag ("<b>Banjir</b>" -> "Banjir")."""
    if "<" not in text:
        return text
    return " ".join(TAG.sub(" ", text).split())


def cut(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters, cut at a word boundary when one is near, with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ", max(0, limit - 40))
    return (head[:space] if space > 0 else head).rstrip() + "\u2026"
