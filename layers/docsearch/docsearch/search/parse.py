"""User query text -> its parts: plain words, "quoted phrases" and -exclusions.

Nothing here is query syntax for the engine: every part is later analysed as plain
text by a match query, so characters like ``( ) : ^ ~ * ? [ ] { } / \\`` never cause
an error; they are simply not words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docsearch.text import normalize_text

# A part is an optional '-' followed by a quoted phrase (closing quote optional at the end) or a bare word.
_PART = re.compile(r'(?P<neg>-?)(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
# Parts beyond this are ignored: no reader types more, and it bounds the clauses (and fuzzy expansions) per query.
MAX_PARTS = 32
# Something is only text worth searching if it holds a letter or a digit.
_HAS_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class ParsedQuery:
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The plain words as one string (what relevance ranking analyses)."""
        return " ".join(self.words)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases or self.excluded)


def parse_query(text: str) -> ParsedQuery:
    """Split ``text`` into plain words, quoted phrases and exclusions (``-word``, ``-"a phrase"``).

    A '-' only excludes at the start of a part (``Korea-Utara`` is a word, ``-Ukraina`` an exclusion).
    An unbalanced quote makes the rest of the text a phrase. Only the first ``MAX_PARTS`` parts count;
    a repeated part (case aside) counts once.
    Invisible format characters (zero-width space, direction marks) are removed first, as in documents.
    """
    words: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    for match in _PART.finditer(normalize_text(text)):  # normalised like document text
        negated = bool(match.group("neg"))
        phrase = match.group("phrase")
        part = " ".join(phrase.split()) if phrase is not None else match.group("word")
        if not part or not _HAS_WORD.search(part):
            continue
        if len(words) + len(phrases) + len(excluded) == MAX_PARTS:
            break
        kind = excluded if negated else phrases if phrase is not None else words
        if part.casefold() not in (seen.casefold() for seen in kind):  # a repeated word costs once
            kind.append(part)
    return ParsedQuery(words=words, phrases=phrases, excluded=excluded)
