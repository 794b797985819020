"""Ingest bounds on the real engine: an object past its extraction budget is skipped as too_slow while the
rest of its batch is indexed; a batch holds at most its byte budget of objects at once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.ingest import writes
from docsearch.ingest.batch import ingest_messages
from docsearch.ingest.objects import StoredObject

pytestmark = pytest.mark.integration

BUCKET = "bounds-bucket"
ARTICLE = b"Banjir Jakarta\n\nRibuan warga mengungsi akibat banjir yang melanda ibu kota sejak Senin pagi."


def _message(key: str, size: int) -> str:
    record = {
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": BUCKET}, "object": {"key": key, "size": size}},
    }
    return json.dumps({"Records": [record]})


def _fetcher(objects: dict[str, bytes]) -> Any:
    return lambda bucket, key: StoredObject(bucket, key, objects[key])


def test_an_object_past_its_extraction_budget_is_skipped_and_the_batch_goes_on(
    engine: OpenSearch, index_alias: str
) -> None:
    # Half a million one-word lines: linear, but ~10 s of CPU per MB here, past the budget (~2 s for 1 MB).
    objects = {"a.txt": ARTICLE, "slow.txt": b"a\n" * 2**19, "b.txt": ARTICLE.replace(b"Jakarta", b"Bekasi")}
    ensure_index(engine, index_alias)
    messages = [(key, _message(key, len(data))) for key, data in objects.items()]
    outcomes = ingest_messages(messages, engine, index_alias, _fetcher(objects))
    assert outcomes["slow.txt"].status == "done" and outcomes["slow.txt"].skipped == ["too_slow"]
    assert outcomes["a.txt"].indexed == 1 and outcomes["b.txt"].indexed == 1
    engine.indices.refresh(index=index_alias)
    live = {"query": {"term": {"deleted": False}}}  # the skip is on record too, as a tombstone with its reason
    assert engine.count(index=index_alias, body=live)["count"] == 2


def test_a_batch_holds_at_most_its_byte_budget_of_objects(
    engine: OpenSearch, index_alias: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = ARTICLE + b"\n\n" + b"Warga menunggu bantuan di posko pengungsian. " * 2000  # ~90 KB
    objects = {f"{n}.txt": article.replace(b"Jakarta", f"Kota{n}".encode()) for n in range(10)}
    held: list[int] = [0]
    peaks: list[int] = []

    def fetch(bucket: str, key: str) -> StoredObject:
        held[0] += len(objects[key])
        return StoredObject(bucket, key, objects[key])

    real_write = writes.write_bulk

    def write(client: OpenSearch, ops: list[dict[str, Any]], deadline: float | None = None) -> Any:
        peaks.append(held[0])
        held[0] = 0  # the wave is written: its objects are no longer held
        return real_write(client, ops, deadline)

    monkeypatch.setattr(writes, "write_bulk", write)
    ensure_index(engine, index_alias)
    budget = 3 * len(article) + 1000
    messages = [(key, _message(key, len(data))) for key, data in objects.items()]
    outcomes = ingest_messages(messages, engine, index_alias, fetch, byte_budget=budget)
    assert all(outcome.indexed == 1 for outcome in outcomes.values())
    assert len(peaks) == 4 and max(peaks) <= budget  # ten objects in waves of three
    engine.indices.refresh(index=index_alias)
    assert engine.count(index=index_alias)["count"] == 10


def _attribute_bomb(size: int) -> bytes:
    attributes = " ".join(f'a{n}="x"' for n in range(size // 9))
    return f"<html><body><div {attributes}>teks</div><p>{'Banjir. ' * 50}</p></body></html>".encode()


@pytest.mark.parametrize("megabytes", [1, 7])
def test_an_html_attribute_bomb_is_refused_as_such_and_its_neighbours_indexed(
    engine: OpenSearch, index_alias: str, megabytes: int
) -> None:
    """Issue 21: a 1 MB bomb held the batch 84 s (its neighbour searchable after 81 s), a 7 MB one minutes."""
    page = b"<html><head><title>Banjir Bekasi</title></head><body><p>%s</p></body></html>" % (b"Banjir. " * 40)
    objects = {"a.txt": ARTICLE, "bomb.html": _attribute_bomb(megabytes * 2**20), "b.html": page}
    ensure_index(engine, index_alias)
    messages = [(key, _message(key, len(data))) for key, data in objects.items()]
    outcomes = ingest_messages(messages, engine, index_alias, _fetcher(objects))
    assert outcomes["bomb.html"].status == "done" and outcomes["bomb.html"].skipped == ["parse_limit"]
    assert outcomes["a.txt"].indexed == 1 and outcomes["b.html"].indexed == 1
    engine.indices.refresh(index=index_alias)
    found = engine.search(index=index_alias, body={"query": {"match": {"title": "bekasi"}}})["hits"]["hits"]
    assert [hit["_source"]["key"] for hit in found] == ["b.html"]
    assert "attributes" in outcomes["bomb.html"].skips[0].detail  # the true reason, said
