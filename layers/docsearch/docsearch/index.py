"""The index definition (data/index.json) and its idempotent creation behind an alias.

Searches and writes go through the alias (``articles``); the concrete index is
versioned (``articles-v1``) so a mapping change can be rebuilt beside the old
index and swapped in atomically.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import RequestError

from docsearch.analysis import with_analysis_data


@lru_cache(maxsize=1)
def index_definition() -> dict[str, Any]:
    text = resources.files("docsearch").joinpath("data/index.json").read_text(encoding="utf-8")
    definition: dict[str, Any] = json.loads(text)
    return with_analysis_data(definition)


def versioned_name(alias: str, version: int | None = None) -> str:
    return f"{alias}-v{version if version is not None else index_definition()['version']}"


def ensure_index(client: OpenSearch, alias: str) -> str:
    """Create the current versioned index behind ``alias`` unless the alias exists.

    Returns the name of the index the alias points to. Safe to call concurrently.
    """
    if client.indices.exists_alias(name=alias):
        return next(iter(client.indices.get_alias(name=alias)))
    name = versioned_name(alias)
    definition = index_definition()
    body = {"settings": definition["settings"], "mappings": definition["mappings"], "aliases": {alias: {}}}
    try:
        client.indices.create(index=name, body=body)
    except RequestError as error:
        if error.error != "resource_already_exists_exception":
            raise
    return name
