"""The systems compared: our pipeline (the real search function) and plain OpenSearch baselines."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import TransportError

from docsearch.embed import LEAD_CHARS, Embedder, passage_text
from docsearch.errors import EngineUnavailable
from docsearch.index.definition import ensure_index
from docsearch.search.client import SearchClient
from docsearch.search.models import MAX_QUERY_CHARS, Mode, SearchRequest
from docsearch.search.parse import parse_query
from docsearch.search.run import search
from eval.corpus import Doc
from eval.metrics import CUTOFF
from eval.vectors import passage_vectors

Ranker = Callable[[str], list[str]]
BASELINE_ANALYZERS = {"standard": "standard", "indonesian (built-in)": "indonesian"}
PIPELINE = "docsearch"
HYBRID = "docsearch hybrid"
# The engine may be briefly busy (429 circuit breaker on a small local heap): retry, never score a failure as a miss.
RETRIES = 5
RETRY_PAUSE_S = 2.0


def _retrying(rank: Ranker) -> Ranker:
    def retried(text: str) -> list[str]:
        for attempt in range(RETRIES):
            try:
                return rank(text)
            except (EngineUnavailable, TransportError):
                if attempt == RETRIES - 1:
                    raise
                time.sleep(RETRY_PAUSE_S * (attempt + 1))
        raise AssertionError("unreachable")

    return retried


@dataclass
class System:
    name: str
    rank: Ranker


def _index_docs(client: OpenSearch, index: str, docs: list[Doc], vectors: list[list[float]] | None = None) -> None:
    def source(number: int, doc: Doc) -> dict[str, Any]:
        fields: dict[str, Any] = {"key": doc.id, "title": doc.title, "body": doc.body}
        if vectors is not None:
            fields["embedding"] = vectors[number]
        return fields

    actions = ({"_index": index, "_id": doc.id, "_source": source(n, doc)} for n, doc in enumerate(docs))
    helpers.bulk(client, actions, chunk_size=500, request_timeout=120)
    client.indices.refresh(index=index)


def _pipeline(reader: SearchClient, alias: str, embedder: Embedder | None = None) -> Ranker:
    """Our search function's ranking: lexical, or hybrid with ``embedder`` (it must answer in that mode)."""
    mode: Mode = "hybrid" if embedder is not None else "lexical"

    def rank(text: str) -> list[str]:
        # Ranking is measured per document: the eval indexes bare documents, not ingest's story groups.
        request = SearchRequest(q=text.strip()[:MAX_QUERY_CHARS], page=1, size=CUTOFF, group=False, mode=mode)
        answer = search(reader, alias, request, embedder=embedder)
        # A query nothing matches is answered empty, by no model (hybrid asks it nothing then).
        if answer.mode != mode and answer.results and not answer.relaxed and parse_query(request.q).words:
            raise RuntimeError(f"asked for {mode}, answered {answer.mode}: {text!r}")
        return [hit.id for hit in answer.results]

    return rank


def _baseline(client: OpenSearch, index: str) -> Ranker:
    def rank(text: str) -> list[str]:
        body: dict[str, Any] = {
            "size": CUTOFF,
            "_source": False,
            "query": {"multi_match": {"query": text, "fields": ["title^3", "body"]}},
        }
        return [hit["_id"] for hit in client.search(index=index, body=body)["hits"]["hits"]]

    return rank


@contextmanager
def indexed_systems(
    client: OpenSearch,
    reader: SearchClient,
    docs: list[Doc],
    prefix: str = "eval",
    embedder: Embedder | None = None,
    lead_chars: int = LEAD_CHARS,
    baselines: bool = True,
) -> Iterator[list[System]]:
    """Index ``docs`` once per system (fresh, uniquely named indices), yield the systems, delete the indices.
    ``reader``: the search function's client, on the same engine as ``client``, for our pipeline's searches.
    ``embedder``: also rank in hybrid mode, the documents embedded by title and the first ``lead_chars``
    of their body (as ingest does). ``baselines=False``: our pipeline only (the plain indices are not built)."""
    run = f"{prefix}-{uuid.uuid4().hex[:8]}"
    alias = f"{run}-pipeline"
    created: list[str] = []
    try:
        created.append(ensure_index(client, alias))
        vectors = None
        if embedder is not None:
            vectors = passage_vectors(embedder, [passage_text(doc.title, doc.body, lead_chars) for doc in docs])
        _index_docs(client, alias, docs, vectors)
        systems = [System(PIPELINE, _retrying(_pipeline(reader, alias)))]
        if embedder is not None:
            systems.append(System(HYBRID, _retrying(_pipeline(reader, alias, embedder))))
        for label, analyzer in BASELINE_ANALYZERS.items() if baselines else ():
            index = f"{run}-{analyzer}"
            mapping = {"type": "text", "analyzer": analyzer}
            client.indices.create(
                index=index,
                body={
                    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                    "mappings": {"properties": {"key": {"type": "keyword"}, "title": mapping, "body": mapping}},
                },
            )
            created.append(index)
            _index_docs(client, index, docs)
            systems.append(System(label, _retrying(_baseline(client, index))))
        yield systems
    finally:
        for index in created:
            client.indices.delete(index=index, ignore_unavailable=True, params={"request_timeout": 60})
