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
# Ingest memory, measured with bench.memory_child (docs/reliability-bounds.md): the process after imports,
# and what each byte of object held by a batch costs at its peak (bytes, text, lines, document, _bulk body).
RUNTIME_BASELINE_MB = 128  # 77 MB measured after imports, plus the Lambda runtime's own
PEAK_BYTES_PER_OBJECT_BYTE = 6  # 3.0 measured on ten 10 MB articles; non-Latin text takes 2-4 bytes a character
MEMORY_MARGIN = 0.8  # of what is left after the baseline: room for the allocator and the engine client
DEFAULT_DOCUMENT_VIEW_URL = "/web/dokumen.html?id={id}"


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
    memory_mb: int = Field(512, alias="AWS_LAMBDA_FUNCTION_MEMORY_SIZE", gt=0)  # set by Lambda
    # Key folders that name an outlet ("kompas,detik"): only these become a document's source of last resort.
    source_prefixes: str = Field("", alias="SOURCE_PREFIXES")
    # Where a reader opens a result: the search page's document view; {id} is the document id.
    document_view_url: str = Field(DEFAULT_DOCUMENT_VIEW_URL, alias="DOCUMENT_VIEW_URL", pattern=r"\{id\}")

    @classmethod
    def from_env(cls) -> Settings:
        return cls.model_validate({k: v for k, v in os.environ.items() if k in _ENV_NAMES})

    @property
    def batch_byte_budget(self) -> int:
        """Object bytes one ingest batch may hold at once (it reads and writes in waves of at most this)."""
        free_mb = (self.memory_mb - RUNTIME_BASELINE_MB) * MEMORY_MARGIN
        return max(int(free_mb * 2**20 / PEAK_BYTES_PER_OBJECT_BYTE), self.max_object_bytes)

    @property
    def source_folders(self) -> tuple[str, ...]:
        return split_folders(self.source_prefixes)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process; cached so every invocation reuses one object."""
    return Settings.from_env()


_ENV_NAMES = {field.alias for field in Settings.model_fields.values() if field.alias}


def split_folders(text: str) -> tuple[str, ...]:
    """``kompas,detik`` -> the key folders that name an outlet."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


# The two settings the core reads beside the engine's: extraction and result shaping also run where no
# engine settings exist (the CLI's --direct search, eval, bench), so they read just their own variable.
def folders_from_env() -> tuple[str, ...]:
    """SOURCE_PREFIXES: the key folders that name an outlet."""
    return split_folders(os.environ.get("SOURCE_PREFIXES", ""))


def view_url_from_env() -> str:
    """DOCUMENT_VIEW_URL: where a result's ``view`` link points ({id}: the document id)."""
    url = os.environ.get("DOCUMENT_VIEW_URL") or DEFAULT_DOCUMENT_VIEW_URL
    return url if "{id}" in url else DEFAULT_DOCUMENT_VIEW_URL
