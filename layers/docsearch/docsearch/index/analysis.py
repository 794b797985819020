"""Indonesian analysis data (synonyms, protected words, stem overrides) loaded into the index settings.

The analyzers and filters live in ``data/index.json``; the word lists live in their own
data files beside it and are put inline into the filters here, so everything runs on a
managed OpenSearch (built-in filters, inline data, no files on the nodes, no plugins).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources
from typing import Any

SYNONYMS_FILE = "data/synonyms.txt"
PROTECTED_FILE = "data/protected_words.txt"
OVERRIDES_FILE = "data/stem_overrides.txt"


def read_lines(name: str) -> list[str]:
    """The non-empty, non-comment lines of a data file, stripped."""
    text = resources.files("docsearch").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def synonyms() -> list[str]:
    return read_lines(SYNONYMS_FILE)


@lru_cache(maxsize=1)
def protected_words() -> list[str]:
    return sorted({word.lower() for word in read_lines(PROTECTED_FILE)})


@lru_cache(maxsize=1)
def stem_overrides() -> list[str]:
    return read_lines(OVERRIDES_FILE)


def with_analysis_data(definition: dict[str, Any]) -> dict[str, Any]:
    """A copy of the index definition whose analysis filters carry the word lists inline."""
    filled = copy.deepcopy(definition)
    filters = filled["settings"]["analysis"]["filter"]
    filters["id_synonyms"]["synonyms"] = synonyms()
    filters["id_protected"]["keywords"] = protected_words()
    filters["id_overrides"]["rules"] = stem_overrides()
    return filled
