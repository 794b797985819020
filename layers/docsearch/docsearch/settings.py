"""Typed settings, parsed once from the environment (fail fast at cold start).

The one configuration model: the functions read it from their environment; the local
stack (``docsearch_local.paths.StackConfig.settings``), the CLI, eval and bench build it
from their own options. Defaults shared by every edge live here.

A frozen dataclass checked in ``__post_init__``, not a pydantic model: the ingest function loads
pydantic for nothing else, and importing it cost that function's every cold start about 90 ms
(bench, "cold start"). Copy with changes: ``dataclasses.replace(settings, index_alias=...)``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Literal

DEFAULT_MAX_OBJECT_BYTES = 10 * 1024 * 1024
DEFAULT_REGION = "ap-southeast-3"
DEFAULT_INDEX_ALIAS = "articles"
DEFAULT_OPENSEARCH_TIMEOUT_S = 10.0
# Ingest memory, measured with bench.memory_child (docs/reliability-bounds.md): the process after imports,
# and what each byte of object held by a batch costs at its peak (bytes, text, lines, document, _bulk body).
RUNTIME_BASELINE_MB = 128  # 77 MB measured after imports, plus the Lambda runtime's own
PEAK_BYTES_PER_OBJECT_BYTE = 6  # 3.0 measured on ten 10 MB articles; non-Latin text takes 2-4 bytes a character
MEMORY_MARGIN = 0.8  # of what is left after the baseline: room for the allocator and the engine client
DEFAULT_DOCUMENT_VIEW_URL = "/web/dokumen.html?id={id}"
# Keys under this folder of the bucket configure the service (the newsroom's alias list); never articles.
CONFIG_PREFIX = "_config/"
ALIASES_KEY = f"{CONFIG_PREFIX}aliases.txt"
INDEX_ALIAS_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")


def _env(name: str, parse: Callable[[Any], Any] = str) -> dict[str, Any]:
    """Field metadata: the environment variable a setting is read from, and how its text is parsed."""
    return {"env": name, "parse": parse}


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True)
class Settings:
    opensearch_url: str = field(metadata=_env("OPENSEARCH_URL"))  # required: no engine is assumed
    opensearch_auth: Literal["none", "sigv4"] = field(default="none", metadata=_env("OPENSEARCH_AUTH"))
    opensearch_service: Literal["es", "aoss"] = field(default="es", metadata=_env("OPENSEARCH_SERVICE"))
    opensearch_timeout_s: float = field(
        default=DEFAULT_OPENSEARCH_TIMEOUT_S, metadata=_env("OPENSEARCH_TIMEOUT_S", float)
    )
    region: str = field(default=DEFAULT_REGION, metadata=_env("AWS_REGION"))
    index_alias: str = field(default=DEFAULT_INDEX_ALIAS, metadata=_env("INDEX_ALIAS"))
    max_object_bytes: int = field(default=DEFAULT_MAX_OBJECT_BYTES, metadata=_env("MAX_OBJECT_BYTES", int))
    # Replica copies of each new index on a managed domain (unset: data/index.json's, 0 for the
    # one-node local engine). Ignored on Serverless, which keeps its own copies.
    index_replicas: int | None = field(default=None, metadata=_env("INDEX_REPLICAS", _optional_int))
    memory_mb: int = field(default=512, metadata=_env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", int))  # set by Lambda
    # Key folders that name an outlet ("kompas,detik"): only these become a document's source of last resort.
    source_prefixes: str = field(default="", metadata=_env("SOURCE_PREFIXES"))
    # Where a reader opens a result: the search page's document view; {id} is the document id.
    document_view_url: str = field(default=DEFAULT_DOCUMENT_VIEW_URL, metadata=_env("DOCUMENT_VIEW_URL"))
    # The newsroom's alias list the search function applies (s3://bucket/_config/aliases.txt; unset: none).
    aliases_object: str = field(default="", metadata=_env("ALIASES_OBJECT"))
    # The local emulator's S3 (unset on AWS): where the alias list is read from there.
    aws_endpoint_url: str = field(default="", metadata=_env("AWS_ENDPOINT_URL"))

    def __post_init__(self) -> None:
        problems = [
            ("OPENSEARCH_URL", "must not be empty", bool(self.opensearch_url)),
            ("OPENSEARCH_AUTH", "must be 'none' or 'sigv4'", self.opensearch_auth in ("none", "sigv4")),
            ("OPENSEARCH_SERVICE", "must be 'es' or 'aoss'", self.opensearch_service in ("es", "aoss")),
            ("OPENSEARCH_TIMEOUT_S", "must be greater than 0", self.opensearch_timeout_s > 0),
            ("INDEX_ALIAS", "must match [a-z0-9][a-z0-9_-]*", bool(INDEX_ALIAS_PATTERN.fullmatch(self.index_alias))),
            ("MAX_OBJECT_BYTES", "must be greater than 0", self.max_object_bytes > 0),
            ("INDEX_REPLICAS", "must be greater than or equal to 0", (self.index_replicas or 0) >= 0),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "must be greater than 0", self.memory_mb > 0),
            ("DOCUMENT_VIEW_URL", "must hold {id}", "{id}" in self.document_view_url),
            ("ALIASES_OBJECT", "must be s3://bucket/key", not self.aliases_object or _is_s3_key(self.aliases_object)),
        ]
        wrong = [f"{name} {rule}" for name, rule, holds in problems if not holds]
        if wrong:
            raise ValueError(f"invalid settings: {'; '.join(wrong)}")

    @classmethod
    def from_env(cls, env: Mapping[str, Any] | None = None) -> Settings:
        """From environment variables (``os.environ`` unless given); unset ones keep their defaults."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            name, parse = f.metadata["env"], f.metadata["parse"]
            if name in env:
                try:
                    values[f.name] = parse(env[name])
                except ValueError as error:
                    raise ValueError(f"invalid settings: {name} {env[name]!r}: {error}") from None
        if "opensearch_url" not in values:
            raise ValueError("invalid settings: OPENSEARCH_URL is required")
        return cls(**values)

    @property
    def batch_byte_budget(self) -> int:
        """Object bytes one ingest batch may hold at once (it reads and writes in waves of at most this)."""
        free_mb = (self.memory_mb - RUNTIME_BASELINE_MB) * MEMORY_MARGIN
        return max(int(free_mb * 2**20 / PEAK_BYTES_PER_OBJECT_BYTE), self.max_object_bytes)

    @property
    def source_folders(self) -> tuple[str, ...]:
        return split_folders(self.source_prefixes)


def _is_s3_key(address: str) -> bool:
    bucket, _, key = address.removeprefix("s3://").partition("/")
    return address.startswith("s3://") and bool(bucket) and bool(key)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process; cached so every invocation reuses one object."""
    return Settings.from_env()


def split_folders(text: str) -> tuple[str, ...]:
    """``kompas,detik`` -> the key folders that name an outlet."""
    return tuple(part.strip() for part in text.split(",") if part.strip())
