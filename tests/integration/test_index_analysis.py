"""The Indonesian analysis of the real engine, through the index definition."""

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index, versioned_name

pytestmark = pytest.mark.integration


def _index(engine: OpenSearch, alias: str, docs: dict[str, str]) -> None:
    ensure_index(engine, alias)
    for doc_id, body in docs.items():
        engine.index(index=alias, id=doc_id, body={"title": "", "body": body})
    engine.indices.refresh(index=alias)


def _ids(engine: OpenSearch, alias: str, query: str) -> set[str]:
    response = engine.search(index=alias, body={"query": {"match": {"body": query}}})
    return {hit["_id"] for hit in response["hits"]["hits"]}


def test_ensure_index_is_idempotent_and_behind_alias(engine: OpenSearch, index_alias: str) -> None:
    assert ensure_index(engine, index_alias) == versioned_name(index_alias)
    assert ensure_index(engine, index_alias) == versioned_name(index_alias)
    assert list(engine.indices.get_alias(name=index_alias)) == [versioned_name(index_alias)]


def test_stemming_relates_affixed_forms(engine: OpenSearch, index_alias: str) -> None:
    _index(
        engine,
        index_alias,
        {
            "worry": "Warga menyampaikan kekhawatiran atas kenaikan harga beras.",
            "signed": "Perjanjian itu ditandatangani di Pyongyang pada Rabu.",
            "other": "Tim nasional menang dua gol tanpa balas.",
        },
    )
    assert _ids(engine, index_alias, "khawatir") == {"worry"}
    assert _ids(engine, index_alias, "penandatanganan") == {"signed"}


def test_stop_words_do_not_match(engine: OpenSearch, index_alias: str) -> None:
    _index(engine, index_alias, {"a": "Presiden dan menteri yang baru."})
    assert _ids(engine, index_alias, "yang dan") == set()


def test_an_index_built_from_an_older_definition_is_detected(engine: OpenSearch, index_alias: str) -> None:
    from docsearch.index.definition import definition_is_current

    ensure_index(engine, index_alias)
    assert definition_is_current(engine, index_alias)
    engine.indices.put_mapping(index=index_alias, body={"_meta": {"definition_version": 0}})
    assert not definition_is_current(engine, index_alias)
