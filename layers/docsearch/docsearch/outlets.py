"""One name per outlet: a source's key (what facets count and filters match) and its display name.

"KOMPAS.com", "Kompas.com", " kompas.com", "www.kompas.com" and "https://kompas.com/" are one outlet:
the key is the name lower-cased, without scheme, ``www.`` or a trailing slash, with spaces collapsed
(``kompas.com``), then mapped through the aliases in ``data/sources.json`` ("Kompas" -> ``kompas.com``).
The display name is a function of the key alone, so every document of an outlet shows the same one:
the table's name if it has one ("Kompas.com"), else a site name as the key writes it ("kabarpagi.id"),
else the words capitalised ("Suara Merdeka").

The same normalisation runs at ingest (stored ``source_key`` and ``source``) and on the ``source``
filter, so a filter value in any of these forms matches.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

MAX_SOURCE_CHARS = 100
_SITE = re.compile(r"[\w-]+(?:\.[\w-]+)+")


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], dict[str, str]]:
    data = json.loads(resources.files("docsearch").joinpath("data/sources.json").read_text(encoding="utf-8"))
    return dict(data["aliases"]), dict(data["names"])


def source_key(name: str | None) -> str | None:
    """The outlet's key for any spelling of its name; None for an empty name."""
    if not name:
        return None
    text = " ".join(unicodedata.normalize("NFKC", name).casefold().split())
    if "://" in text:
        text = _hostname(text)
    text = text.removeprefix("www.").strip(" /")[:MAX_SOURCE_CHARS].strip()
    if not text:
        return None
    aliases, _ = _table()
    return aliases.get(text, text)


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # "http://[x": an unbalanced IPv6 bracket, as scraped source fields can hold
        return ""


def display_name(key: str) -> str:
    """How the outlet with ``key`` is shown: the same for all its documents."""
    _, names = _table()
    if key in names:
        return names[key]
    if _SITE.fullmatch(key):
        return key
    return " ".join(word[:1].upper() + word[1:] for word in key.split())


def source_from_key(key: str, folders: Collection[str]) -> str | None:
    """The key's first folder, only when it is one of the configured outlet ``folders``.

    A bucket's folders are often not outlets (``samples/``, ``berita/``, ``2024/``), so no folder is a
    source unless the ``SOURCE_PREFIXES`` setting lists it.
    """
    head, sep, _ = key.partition("/")
    if not sep or not head.strip():
        return None
    wanted = {folder.strip().strip("/").casefold() for folder in folders}
    return head.strip() if head.strip().casefold() in wanted else None
