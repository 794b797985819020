"""Typed settings, parsed once from the environment (fail fast at cold start).

A frozen dataclass, not a pydantic model: building a model class costs the ingest function,
which has no other use for pydantic, about 130 ms of cold start (docs/performance.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Literal, cast

DEFAULT_MAX_OBJECT_BYTES = 10 * 1024 * 1024
INDEX_ALIAS_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Field name -> the environment variable it is read from.
ENV_NAMES = {
    "opensearch_url": "OPENSEARCH_URL",
    "opensearch_auth": "OPENSEARCH_AUTH",
    "opensearch_service": "OPENSEARCH_SERVICE",
    "opensearch_timeout_s": "OPENSEARCH_TIMEOUT_S",
    "region": "AWS_REGION",
    "index_alias": "INDEX_ALIAS",
    "max_object_bytes": "MAX_OBJECT_BYTES",
}


class InvalidSettings(ValueError):
    """An environment variable holds a value the service cannot run with."""


@dataclass(frozen=True)
class Settings:
    opensearch_url: str = "http://127.0.0.1:9200"
    opensearch_auth: Literal["none", "sigv4"] = "none"
    opensearch_service: Literal["es", "aoss"] = "es"
    opensearch_timeout_s: float = 10.0
    region: str = "ap-southeast-3"
    index_alias: str = "articles"
    max_object_bytes: int = DEFAULT_MAX_OBJECT_BYTES

    def __post_init__(self) -> None:
        _one_of("OPENSEARCH_AUTH", self.opensearch_auth, ("none", "sigv4"))
        _one_of("OPENSEARCH_SERVICE", self.opensearch_service, ("es", "aoss"))
        if not self.opensearch_timeout_s > 0:
            raise InvalidSettings(f"OPENSEARCH_TIMEOUT_S must be > 0, not {self.opensearch_timeout_s}")
        if not self.max_object_bytes > 0:
            raise InvalidSettings(f"MAX_OBJECT_BYTES must be > 0, not {self.max_object_bytes}")
        if not INDEX_ALIAS_PATTERN.match(self.index_alias):
            raise InvalidSettings(f"INDEX_ALIAS must match {INDEX_ALIAS_PATTERN.pattern}, not {self.index_alias!r}")

    @classmethod
    def from_env(cls, env: Mapping[str, Any]) -> Settings:
        """Settings from environment-style names (``OPENSEARCH_URL``...); absent names keep their default."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = env.get(ENV_NAMES[field.name])
            if raw is None:
                continue
            values[field.name] = _convert(ENV_NAMES[field.name], raw, field.type)
        return cls(**values)


def _convert(name: str, raw: Any, kind: Any) -> Any:
    try:
        if kind == "float":
            return float(raw)
        if kind == "int":
            return int(raw)
    except (TypeError, ValueError) as error:
        raise InvalidSettings(f"{name} must be a number, not {raw!r}") from error
    return str(raw)


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidSettings(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process; cached so every invocation reuses one object."""
    return Settings.from_env(cast(Mapping[str, str], os.environ))
