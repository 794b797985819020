"""`docsearch status` says "indexed" only once a search can find the document (issue 21: it said so about a
second before, while the engine had written the document but not yet refreshed)."""

from __future__ import annotations

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.ingest.article import Article, IndexedArticle
from docsearch.ingest.status import key_statuses

pytestmark = pytest.mark.integration
BUCKET = "docsearch-articles"


def test_indexed_only_once_searchable(engine: OpenSearch, index_alias: str) -> None:
    index = ensure_index(engine, index_alias)
    engine.indices.put_settings(index=index, body={"index": {"refresh_interval": "-1"}})  # no refresh but ours
    article = Article(title="Banjir Bekasi", body="Banjir merendam Bekasi; warga mengungsi ke posko.")
    doc = IndexedArticle(BUCKET, "status/banjir.txt", article, 60, "h1")
    engine.index(index=index_alias, id=doc.id, body=doc.to_document())  # written, not yet searchable

    found = engine.search(index=index_alias, body={"query": {"match": {"body": "banjir"}}})["hits"]["total"]
    assert found["value"] == 0
    assert key_statuses(engine, index_alias, BUCKET, ["status/banjir.txt"])["status/banjir.txt"].state == "unknown"

    engine.indices.refresh(index=index_alias)
    assert key_statuses(engine, index_alias, BUCKET, ["status/banjir.txt"])["status/banjir.txt"].state == "indexed"
