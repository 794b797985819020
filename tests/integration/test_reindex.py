"""Zero-downtime reindex on the real engine: searches run the whole time and never fail or come back empty."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from opensearchpy import OpenSearch
from opensearchpy.helpers import bulk

from docsearch.aliases import building_alias
from docsearch.index.definition import ensure_index, versioned_name
from docsearch.index.reindex import ReindexError, next_version, reindex
from docsearch.ingest.article import Article, IndexedArticle
from docsearch.search.client import SearchClient
from docsearch.search.models import SearchRequest
from docsearch.search.run import search

pytestmark = pytest.mark.integration
DOCS = 3000


def _fill(engine: OpenSearch, alias: str, count: int) -> None:
    def actions() -> Any:
        for n in range(count):
            article = Article(
                title=f"Banjir Jakarta laporan {n}",
                body=f"Banjir merendam {n % 50} kelurahan di Jakarta; warga mengungsi ke posko nomor {n}.",
                source=f"sumber{n % 7}.id",
                published_at=f"2024-06-{1 + n % 28:02d}",
            )
            doc = IndexedArticle("docsearch-articles", f"reindex/{n}.txt", article, 100, f"h{n}")
            yield {"_index": alias, "_id": doc.id, "_source": doc.to_document()}

    bulk(engine, actions(), chunk_size=1000, refresh=True)


class Searcher(threading.Thread):
    """Searches the alias in a loop until stopped; records every failure and every empty answer."""

    def __init__(self, reader: SearchClient, alias: str) -> None:
        super().__init__(daemon=True)
        self.reader, self.alias = reader, alias
        self.stop = threading.Event()
        self.searches = 0
        self.problems: list[str] = []

    def run(self) -> None:
        request = SearchRequest(q="banjir jakarta", size=5)
        while not self.stop.is_set():
            try:
                answer = search(self.reader, self.alias, request)
                if answer.total == 0 or not answer.results:
                    self.problems.append(f"empty answer at search {self.searches}")
            except Exception as error:
                self.problems.append(f"{type(error).__name__}: {error}")
            self.searches += 1


def test_searches_keep_answering_while_the_index_is_rebuilt(
    engine: OpenSearch, reader: SearchClient, index_alias: str
) -> None:
    first = ensure_index(engine, index_alias)
    _fill(engine, index_alias, DOCS)
    searcher = Searcher(reader, index_alias)
    searcher.start()
    try:
        time.sleep(0.3)
        summary = reindex(engine, index_alias, in_flight_s=0)
        time.sleep(0.3)
        again = reindex(engine, index_alias, in_flight_s=0)  # repeated reindexes take the next free version
    finally:
        searcher.stop.set()
        searcher.join(timeout=30)
    assert searcher.problems == []
    assert searcher.searches > 20, "the searcher must have run during the reindex"
    assert summary.old_indices == [first] and summary.removed_old
    assert summary.new_index == versioned_name(index_alias, int(first.rsplit("v", 1)[1]) + 1)
    assert summary.documents == DOCS and summary.copied == DOCS
    assert again.new_index == versioned_name(index_alias, int(first.rsplit("v", 1)[1]) + 2)
    assert sorted(engine.indices.get_alias(name=index_alias)) == [again.new_index]
    assert not engine.indices.exists(index=first) and not engine.indices.exists(index=summary.new_index)
    # The rebuilt index serves the same answers.
    assert search(reader, index_alias, SearchRequest(q="posko nomor 1234")).results[0].key == "reindex/1234.txt"


def test_a_failed_fill_leaves_the_alias_alone(engine: OpenSearch, index_alias: str) -> None:
    first = ensure_index(engine, index_alias)
    planned = versioned_name(index_alias, next_version(engine, index_alias))

    def broken(client: OpenSearch, index: str, on_progress: Any) -> int:
        raise RuntimeError("bucket unreadable")

    with pytest.raises(ReindexError, match="alias unchanged"):
        reindex(engine, index_alias, from_bucket=broken)
    assert sorted(engine.indices.get_alias(name=index_alias)) == [first]
    assert not engine.indices.exists(index=planned)
    assert not engine.indices.exists_alias(name=building_alias(index_alias))  # ingest stops writing there


def test_an_interrupted_reindex_is_reported_not_raced(engine: OpenSearch, index_alias: str) -> None:
    ensure_index(engine, index_alias)
    engine.indices.create(index=f"{index_alias}-v99", body={"aliases": {building_alias(index_alias): {}}})
    with pytest.raises(ReindexError, match=f"{index_alias}-v99 is under way or was interrupted"):
        reindex(engine, index_alias, in_flight_s=0)
