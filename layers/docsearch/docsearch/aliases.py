"""The aliases writes and searches go through, and the lookups of what they point to.

Searches and writes go through the alias (``articles``); while a reindex fills a new index, the alias
``<alias>-next`` points at it and ingest writes go there too. The ingest path and the index's upkeep
(``index/``) both look these up: this module imports neither.
"""

from __future__ import annotations

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError


def building_alias(alias: str) -> str:
    """The alias on the index a reindex is filling: live writes go there too until the swap."""
    return f"{alias}-next"


def building_indices(client: OpenSearch, alias: str) -> list[str]:
    """The index a reindex of ``alias`` is filling, if one is (one cheap alias lookup)."""
    return write_targets(client, alias)[1]


def write_targets(client: OpenSearch, alias: str) -> tuple[str | None, list[str]]:
    """The index ``alias`` points to (None: no alias) and the indices a reindex of it is filling.

    One ``GET _alias/<alias>,<alias>-next``: the engine answers 404 when either alias is missing,
    with the one that exists still in the body.
    """
    answer = client.indices.get_alias(name=f"{alias},{building_alias(alias)}", ignore=[404])
    live: str | None = None
    building = []
    for name, value in answer.items():
        aliases = value.get("aliases", {}) if isinstance(value, dict) else {}
        if alias in aliases:
            live = name
        if building_alias(alias) in aliases:
            building.append(name)
    return live, sorted(building)


def alias_target(client: OpenSearch, alias: str) -> str | None:
    """The index ``alias`` points to, or None: one ``GET _alias`` (AWS's Serverless list has it; not HEAD)."""
    try:
        return next(iter(client.indices.get_alias(name=alias)), None)
    except NotFoundError:
        return None
