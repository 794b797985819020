"""Typed settings, parsed once from the environment (fail fast at cold start)."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MAX_OBJECT_BYTES = 10 * 1024 * 1024
DEFAULT_DOCUMENT_VIEW_URL = "/web/dokumen.html?id={id}"


class Settings(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    opensearch_url: str = Field("http://127.0.0.1:9200", alias="OPENSEARCH_URL")
    opensearch_auth: Literal["none", "sigv4"] = Field("none", alias="OPENSEARCH_AUTH")
    opensearch_service: Literal["es", "aoss"] = Field("es", alias="OPENSEARCH_SERVICE")
    opensearch_timeout_s: float = Field(10.0, alias="OPENSEARCH_TIMEOUT_S", gt=0)
    region: str = Field("ap-southeast-3", alias="AWS_REGION")
    index_alias: str = Field("articles", alias="INDEX_ALIAS", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    max_object_bytes: int = Field(DEFAULT_MAX_OBJECT_BYTES, alias="MAX_OBJECT_BYTES", gt=0)
    # Key folders that name an outlet ("kompas,detik"): only these become a document's source of last resort.
    source_prefixes: str = Field("", alias="SOURCE_PREFIXES")
    # Where a reader opens a result: the search page's document view; {id} is the document id.
    document_view_url: str = Field(DEFAULT_DOCUMENT_VIEW_URL, alias="DOCUMENT_VIEW_URL", pattern=r"\{id\}")

    @property
    def source_folders(self) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.source_prefixes.split(",") if part.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process; cached so every invocation reuses one object."""
    return Settings.model_validate({k: v for k, v in os.environ.items() if k in _ENV_NAMES})


_ENV_NAMES = {field.alias for field in Settings.model_fields.values() if field.alias}
