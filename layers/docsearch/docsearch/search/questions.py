"""Question-style queries ("Dimanakah letak Pyongyang?") told apart from keyword queries ("pakta Pyongyang").

A keyword query is precise on purpose: every word the reader typed should be in the article
(see ``query.MINIMUM_SHOULD_MATCH``). A question is not: after its question word it keeps a few
words of its own template (*letak*, *nama*, *maksud*) that the answering passage rarely holds,
so demanding most of its words drops the very passage it asks for. Questions are therefore
ranked on their words without a minimum, and their question words are left out of the ranking.
"""

from __future__ import annotations

import re

# Question words (lower-case). "di mana" / "ke mana" / "dari mana" are two words: "mana" covers them.
QUESTION_WORDS = frozenset(
    {
        "apa",
        "apakah",
        "siapa",
        "siapakah",
        "mana",
        "manakah",
        "dimana",
        "dimanakah",
        "kemana",
        "kemanakah",
        "darimana",
        "kapan",
        "kapankah",
        "bilamana",
        "mengapa",
        "kenapa",
        "bagaimana",
        "bagaimanakah",
        "berapa",
        "berapakah",
        "bila",
        "bilakah",
    }
)
# Words that carry no content of their own (the relative "yang", prepositions, conjunctions, copulas): left out
# of what a question is counted on and of the unstemmed word clauses of any query (query.py), where "yang",
# in nearly every article, matched and was highlighted everywhere. The stemmed fields drop them anyway
# (the engine's Indonesian stop words); written for this project, the ones readers type in questions.
FUNCTION_WORDS = frozenset(
    {
        "yang",
        "di",
        "ke",
        "dari",
        "dan",
        "atau",
        "itu",
        "ini",
        "adalah",
        "ialah",
        "merupakan",
        "dengan",
        "untuk",
        "pada",
        "oleh",
        "akan",
        "sudah",
        "telah",
        "ada",
        "para",
        "sang",
        "si",
        "tersebut",
        "saja",
        "pun",
        "lah",
    }
)
# A leading "...kah" word asks a question too ("Benarkah", "Bisakah", "Adakah"), but these end in -kah
# and are not questions.
NOT_QUESTIONS = frozenset({"langkah", "nikah", "menikah", "pernikahan", "berkah", "mekah", "mekkah", "kakak"})
_WORD_CHARS = re.compile(r"[^\w-]+", re.UNICODE)


def _bare(word: str) -> str:
    return _WORD_CHARS.sub("", word.lower())


def is_question(text: str, words: list[str]) -> bool:
    """Whether ``words`` (the plain words of query ``text``) ask a question rather than list keywords."""
    if text.rstrip().endswith("?"):
        return True
    bare = [_bare(word) for word in words]
    if any(word in QUESTION_WORDS for word in bare):
        return True
    first = bare[0] if bare else ""
    return len(first) > 5 and first.endswith("kah") and first not in NOT_QUESTIONS


def question_content(words: list[str]) -> str:
    """A question's words without its question words: what the answer should contain. Its function words stay
    (the phrase boost reads "kerja sama Rusia dan Korea Utara" better with its "dan"); ``content_words``
    leaves them out where they would match alone."""
    kept = [word for word in words if _bare(word) not in QUESTION_WORDS]
    return " ".join(kept or words)


def content_words(text: str) -> str:
    """``text`` without its function words (all of it if nothing else is left): what unstemmed clauses match."""
    words = text.split()
    kept = [word for word in words if _bare(word) not in FUNCTION_WORDS]
    return " ".join(kept or words)
