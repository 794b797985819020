"""The index definition (data/index.json) and its idempotent creation behind an alias.

Searches and writes go through the alias (``articles``, see ``docsearch.aliases``); the concrete index
is versioned (``articles-v1``) so a mapping change can be rebuilt beside the old index and swapped in
atomically.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import RequestError

from docsearch.aliases import alias_target, write_targets
from docsearch.document import EMBEDDED_WITH, EMBEDDING
from docsearch.embed import dimensions_from_env
from docsearch.engine import is_serverless
from docsearch.index.analysis import with_analysis_data

# Serverless decides shards and copies itself: index settings that name them are left out there. A
# Serverless search collection (the template's) has no vector fields (only a VECTORSEARCH collection
# does): there the vector field and the k-NN switch are left out and search answers lexically.
SERVERLESS_OWNED_SETTINGS = ("number_of_shards", "number_of_replicas", "max_result_window", "knn")
VECTOR_FIELD = EMBEDDING
EMBEDDED_WITH_FIELD = EMBEDDED_WITH  # the embedder's name: which vectors a model change leaves stale


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


def index_settings(*, serverless: bool, replicas: int | None = None) -> dict[str, Any]:
    """data/index.json's settings fitted to the engine a new index is created on.

    On a managed domain ``replicas`` (when given) sets the copies of each shard; on Serverless the
    shard and copy settings are left out (it places and replicates data itself) and ``replicas`` is ignored.
    """
    settings: dict[str, Any] = copy.deepcopy(index_definition()["settings"])
    index = settings.setdefault("index", {})
    if serverless:
        for name in SERVERLESS_OWNED_SETTINGS:
            index.pop(name, None)
    elif replicas is not None:
        index["number_of_replicas"] = replicas
    return settings


def index_mappings(*, serverless: bool) -> dict[str, Any]:
    """data/index.json's mappings fitted to the engine and to the configured embedder's vector size."""
    mappings: dict[str, Any] = copy.deepcopy(index_definition()["mappings"])
    properties = mappings["properties"]
    if serverless:
        properties.pop(VECTOR_FIELD, None)
        properties.pop(EMBEDDED_WITH_FIELD, None)
    else:
        properties[VECTOR_FIELD]["dimension"] = dimensions_from_env()
    return mappings


def ensure_index(client: OpenSearch, alias: str, replicas: int | None = None) -> str:
    """Create the current versioned index behind ``alias`` unless the alias exists.

    Returns the name of the index the alias points to. Safe to call concurrently (both steps are
    idempotent). The alias is added by its own ``POST _aliases``, the alias call AWS lists for
    Serverless, not inside the create body; until it exists, writes (``require_alias``) are refused
    and retried. ``replicas``: see index_settings.
    """
    return alias_target(client, alias) or _create_behind(client, alias, replicas)


def ensure_write_targets(client: OpenSearch, alias: str, replicas: int | None = None) -> tuple[str, list[str]]:
    """``ensure_index`` and ``write_targets`` in one lookup: (the index behind ``alias``, the indices a
    reindex is filling). What an ingest batch needs before it writes (one request when the alias exists)."""
    live, building = write_targets(client, alias)
    return live or _create_behind(client, alias, replicas), building


def _create_behind(client: OpenSearch, alias: str, replicas: int | None) -> str:
    name = versioned_name(alias)
    serverless = is_serverless(client)
    settings = index_settings(serverless=serverless, replicas=replicas)
    try:
        client.indices.create(
            index=name, body={"settings": settings, "mappings": index_mappings(serverless=serverless)}
        )
    except RequestError as error:
        if error.error != "resource_already_exists_exception":
            raise
    client.indices.update_aliases(body={"actions": [{"add": {"index": name, "alias": alias}}]})
    return name
