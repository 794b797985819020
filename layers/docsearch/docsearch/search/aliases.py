"""A newsroom's own aliases ("KDM, Dedi Mulyadi"), applied to the query text at search time.

The built-in synonyms (``data/synonyms.txt``) live in the index's search analyzer: changing them
needs a new index. A newsroom's list cannot wait for that, so it is applied here, in the query:
for each alias the query's words hold, the query is asked once more with that alias said each
other way ("Menkeu pajak" -> also "menteri keuangan pajak"), and any of the ways can satisfy it
(``query.build_query``). That is plain query text, so it works on every engine (a managed domain,
Serverless) and takes effect on the next search after the list changes (``alias_store.py``).

The list is in Solr's synonym format, as the built-in one: ``a, b, c`` (each means the others) or
``a, b => c`` (a or b also means c, not the reverse); ``#`` starts a comment line. Terms are
compared by their words, case aside (``Menteri  Keuangan`` is ``menteri keuangan``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

Words = tuple[str, ...]

# At most this many extra ways of asking per query: each is one more stemmed clause, about the cost of an
# ordinary query, so a query holding many aliases costs at most a few ordinary ones (reliability-bounds.md).
MAX_VARIANTS = 4
# Bounds on the list itself (it is read by every search container): far above a newsroom's hundreds of lines.
MAX_RULES = 5000
MAX_TERMS_PER_RULE = 16
MAX_TERM_WORDS = 8
MAX_LIST_BYTES = 512 * 1024
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class AliasRule:
    """When the query says one of ``said``, it may also be asking for each of ``means``."""

    said: tuple[Words, ...]
    means: tuple[Words, ...]


@dataclass(frozen=True)
class AliasList:
    """Rules, and the terms they are said by, looked up by their first word (a query costs a few dict
    lookups per word, whatever the list's length)."""

    rules: tuple[AliasRule, ...] = ()
    by_first_word: dict[str, list[tuple[Words, AliasRule]]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, rules: Sequence[AliasRule]) -> AliasList:
        index: dict[str, list[tuple[Words, AliasRule]]] = {}
        for rule in rules:
            for term in rule.said:
                index.setdefault(term[0], []).append((term, rule))
        return cls(rules=tuple(rules), by_first_word=index)


NO_ALIASES = AliasList()


class AliasError(ValueError):
    """A line of an alias list that cannot be used (what is wrong, for the CLI to show)."""


def words_of(text: str) -> Words:
    return tuple(_WORD.findall(text.casefold()))


def parse_rule(line: str) -> AliasRule | None:
    """One line of the list; None for a blank or comment line; AliasError if it says nothing usable."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    left, arrow, right = line.partition("=>")
    said = _terms(left)
    means = _terms(right) if arrow else said
    if not said or not means or (not arrow and len(said) < 2):
        raise AliasError(f"an alias line needs two or more terms ('a, b' or 'a => b'): {line!r}")
    if len(said) + len(means) > 2 * MAX_TERMS_PER_RULE or any(len(t) > MAX_TERM_WORDS for t in (*said, *means)):
        limit = f"at most {MAX_TERMS_PER_RULE} terms of {MAX_TERM_WORDS} words"
        raise AliasError(f"too many terms or words on one line ({limit}): {line!r}")
    return AliasRule(said=said, means=means)


def _terms(text: str) -> tuple[Words, ...]:
    terms: list[Words] = []
    for part in text.split(","):
        words = words_of(part)
        if words and words not in terms:
            terms.append(words)
    return tuple(terms)


def parse_aliases(text: str) -> tuple[AliasList, list[str]]:
    """The usable rules of a list and a message for each line that is not (a bad line never stops the rest)."""
    rules: list[AliasRule] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            rule = parse_rule(line)
        except AliasError as error:
            problems.append(f"line {number}: {error}")
            continue
        if rule is None:
            continue
        if len(rules) == MAX_RULES:
            problems.append(f"line {number}: only the first {MAX_RULES} rules are used")
            break
        rules.append(rule)
    return AliasList.of(rules), problems


def alias_variants(text: str, aliases: AliasList) -> list[str]:
    """The query text said other ways, one alias replaced at a time (at most ``MAX_VARIANTS``).

    ``Menkeu pajak`` with ``menkeu, menteri keuangan`` -> ``["menteri keuangan pajak"]``.
    """
    words = words_of(text)
    variants: list[str] = []
    for start, word in enumerate(words):
        for term, rule in aliases.by_first_word.get(word, ()):
            if words[start : start + len(term)] != term:
                continue
            for other in rule.means:
                variant = " ".join((*words[:start], *other, *words[start + len(term) :]))
                if other != term and variant not in variants:
                    variants.append(variant)
                if len(variants) == MAX_VARIANTS:
                    return variants
    return variants
