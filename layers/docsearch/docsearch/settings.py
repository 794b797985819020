"""Typed settings, parsed once from the environment (fail fast at cold start).

The one configuration model: the functions read it from their environment; the local
stack (``docsearch_local.paths.StackConfig.settings``), the CLI, eval and bench build it
from their own options. Defaults shared by every edge live here.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MAX_OBJECT_BYTES = 10 * 1024 * 1024
DEFAULT_REGION = "ap-southeast-3"
DEFAULT_INDEX_ALIAS = "articles"


class Settings(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    opensearch_url: str = Field(alias="OPENSEARCH_URL", min_length=1)  # required: no engine is assumed
    opensearch_auth: Literal["none", "sigv4"] = Field("none", alias="OPENSEARCH_AUTH")
    opensearch_service: Literal["es", "aoss"] = Field("es", alias="OPENSEARCH_SERVICE")
    opensearch_timeout_s: float = Field(10.0, alias="OPENSEARCH_TIMEOUT_S", gt=0)
    region: str = Field(DEFAULT_REGION, alias="AWS_REGION")
    index_alias: str = Field(DEFAULT_INDEX_ALIAS, alias="INDEX_ALIAS", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    max_object_bytes: int = Field(DEFAULT_MAX_OBJECT_BYTES, alias="MAX_OBJECT_BYTES", gt=0)
    # Replica copies of each new index on a managed domain (unset: data/index.json's, 0 for the
    # one-node local engine). Ignored on Serverless, which keeps its own copies.
    index_replicas: int | None = Field(None, alias="INDEX_REPLICAS", ge=0)

    @classmethod
    def from_env(cls) -> Settings:
        return cls.model_validate({k: v for k, v in os.environ.items() if k in _ENV_NAMES})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process; cached so every invocation reuses one object."""
    return Settings.from_env()


_ENV_NAMES = {field.alias for field in Settings.model_fields.values() if field.alias}
