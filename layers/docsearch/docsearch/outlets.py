"""Outlets as newsrooms name them: a source's key (what facets count and filters match), its outlet, and
its display name, from the table of Indonesia's main outlets in ``data/sources.json``.

"KOMPAS.com", "Kompas.com", " kompas.com", "www.kompas.com", "https://nasional.kompas.com/read/…" and
"Kompas" are one outlet: the key is the name lower-cased, without scheme, ``www.`` or a trailing slash,
with spaces collapsed, then looked up among the table's names and aliases, or for an address among its
hosts, paths (``detik.com/jabar``) and domains. A channel ("detikNews", "detikJabar") has a key of its
own (``detiknews``) and belongs to an outlet (``detik.com``): a filter on the outlet finds its channels
(``outlet_key``), a filter on a channel narrows to it. The display name is a function of the key alone,
so every document of an outlet or channel shows the same one, in the brand's own casing ("detikJabar",
"CNBC Indonesia"); a name the table lacks shows as a site name writes it ("kabarpagi.id") or capitalised
("Suara Merdeka").

The same normalisation runs at ingest (stored ``source``, ``source_key``, ``outlet_key``) and on the
``source`` filter, so a filter value in any of these forms matches.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

# A name the table lacks is its own key, stored and counted as a facet value: cut at this. The longest
# name, alias or host in data/sources.json is 23 characters (makassar.tribunnews.com).
MAX_SOURCE_CHARS = 100
_SITE = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_SITE_PATH = re.compile(r"[\w-]+(?:\.[\w-]+)+/[^\s]*")


@dataclass(frozen=True)
class OutletTable:
    names: dict[str, str]  # key -> display name (outlets and channels)
    aliases: dict[str, str]  # any known spelling (lower case) -> key
    outlets: dict[str, str]  # key -> its outlet's key (an outlet is its own)
    hosts: dict[str, str]  # host -> channel key (news.detik.com)
    paths: dict[str, str]  # host/first-folder -> key (detik.com/jabar)
    domains: dict[str, str]  # domain -> outlet key (any host under it)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@lru_cache(maxsize=1)
def table() -> OutletTable:
    raw = json.loads(resources.files("docsearch").joinpath("data/sources.json").read_text(encoding="utf-8"))
    t = OutletTable({}, {}, {}, {}, {}, {})
    for outlet in raw["outlets"]:
        _add(t, outlet, outlet["key"])
        for domain in outlet.get("domains", []):
            t.domains[_fold(domain)] = outlet["key"]
        for channel in outlet.get("channels", []):
            _add(t, channel, outlet["key"])
    return t


def _add(t: OutletTable, entry: dict[str, Any], outlet: str) -> None:
    key = entry.get("key") or _fold(entry["name"])
    t.names[key] = entry["name"]
    t.outlets[key] = outlet
    for spelling in [key, entry["name"], *entry.get("aliases", [])]:
        t.aliases[_fold(spelling)] = key
    for host in entry.get("hosts", []):
        t.hosts[_fold(host)] = key
    for path in entry.get("paths", []):
        t.paths[_fold(path).removeprefix("www.").strip("/")] = key


def source_key(name: str | None) -> str | None:
    """The outlet's or channel's key for any spelling of its name or any of its web addresses; None for none."""
    if not name:
        return None
    text = _fold(name)
    if "://" in text or _SITE_PATH.fullmatch(text):
        return key_of_address(text if "://" in text else f"https://{text}")
    text = text.removeprefix("www.").strip(" /")[:MAX_SOURCE_CHARS].strip()
    if not text:
        return None
    t = table()
    if text in t.aliases:
        return t.aliases[text]
    if _SITE.fullmatch(text):
        return key_of_address(f"https://{text}") or text
    return text


def key_of_address(url: str) -> str | None:
    """The key of the outlet (or channel) an address belongs to: by its host and first folder
    (``detik.com/jabar``), its host (``news.detik.com``), its domain (``nasional.kompas.com``), else the
    host itself without ``www.``; None if it is no web address."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").casefold().removeprefix("www.")
    except ValueError:  # "http://[x": an unbalanced IPv6 bracket, as scraped source fields can hold
        return None
    if not host:
        return None
    t = table()
    folder = parts.path.strip("/").split("/", 1)[0].casefold()
    if folder and f"{host}/{folder}" in t.paths:
        return t.paths[f"{host}/{folder}"]
    if host in t.hosts:
        return t.hosts[host]
    labels = host.split(".")
    for start in range(len(labels) - 1):
        domain = ".".join(labels[start:])
        if domain in t.domains:
            return t.domains[domain]
    return host[:MAX_SOURCE_CHARS]


def outlet_key(key: str | None) -> str | None:
    """The outlet a key belongs to: ``detik.com`` for ``detikjabar``; any other key is its own outlet."""
    return None if key is None else table().outlets.get(key, key)


def is_known(key: str | None) -> bool:
    """Whether ``key`` is an outlet or channel of the table (a header line's label names one)."""
    return key is not None and key in table().names


def display_name(key: str) -> str:
    """How the outlet or channel with ``key`` is shown: the same for all its documents."""
    t = table()
    if key in t.names:
        return t.names[key]
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
