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
from opensearchpy.exceptions import NotFoundError, RequestError

from docsearch.index.analysis import with_analysis_data


@lru_cache(maxsize=1)
def index_definition() -> dict[str, Any]:
    text = resources.files("docsearch").joinpath("data/index.json").read_text(encoding="utf-8")
    definition: dict[str, Any] = json.loads(text)
    # The definition's version travels in the index's own mapping, so a running index
    # can tell whether it was built from an older definition (see definition_is_current).
    definition["mappings"]["_meta"] = {"definition_version": definition["version"]}
    return with_analysis_data(definition)


def definition_is_current(client: OpenSearch, alias: str) -> bool:
    """Whether every index behind ``alias`` was built from the current index.json."""
    wanted = index_definition()["version"]
    mappings = client.indices.get_mapping(index=alias)
    return all(
        int(m.get("mappings", {}).get("_meta", {}).get("definition_version", 0)) >= wanted for m in mappings.values()
    )


def versioned_name(alias: str, version: int | None = None) -> str:
    return f"{alias}-v{version if version is not None else index_definition()['version']}"


def ensure_index(client: OpenSearch, alias: str) -> str:
    """Create the current versioned index behind ``alias`` unless the alias exists.

    Returns the name of the index the alias points to. Safe to call concurrently.
    """
    try:  # one request when the alias exists, as on every ingest batch (not exists_alias + get_alias)
        return next(iter(client.indices.get_alias(name=alias)))
    except NotFoundError:
        pass
    name = versioned_name(alias)
    definition = index_definition()
    body = {"settings": definition["settings"], "mappings": definition["mappings"], "aliases": {alias: {}}}
    try:
        client.indices.create(index=name, body=body)
    except RequestError as error:
        if error.error != "resource_already_exists_exception":
            raise
    return name
