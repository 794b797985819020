"""Grouping a reader can inspect and undo, on the real engine: copies of a story are one result listing each
copy's title, outlet and date; a follow-up with its own lead that repeats background paragraphs is a result
of its own; ``story=<id>`` lists every copy of a group as its own result."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.ingest.batch import ingest_messages
from docsearch.ingest.objects import StoredObject
from docsearch.search.client import SearchClient
from docsearch.search.models import SearchRequest, SearchResponse
from docsearch.search.run import search

pytestmark = pytest.mark.integration

LEAD = "Komnas HAM menyatakan kematian tahanan di Polsek Cilandak diduga kuat akibat kekerasan oleh petugas jaga."
BACKGROUND = [
    "Tahanan berusia 27 tahun itu ditemukan tidak bernyawa di sel pada Minggu pagi setelah ditahan dua hari.",
    "Keluarga korban melaporkan adanya luka lebam di wajah dan punggung saat jenazah diserahkan kepada mereka.",
]
REPORT_END = "Komnas HAM meminta Kapolda Metro Jaya menonaktifkan seluruh petugas jaga selama pemeriksaan berlangsung."
FOLLOW_LEAD = (
    "Kompolnas menyatakan akan memeriksa prosedur penahanan di Polsek Cilandak setelah kematian seorang tahanan."
)
FOLLOW_END = "Kompolnas juga akan meminta rekaman kamera pengawas dari ruang tahanan selama dua hari terakhir korban."


def _json(title: str, source: str, date: str, paragraphs: list[str]) -> str:
    return json.dumps({"title": title, "source": source, "published_at": date, "body": "\n\n".join(paragraphs)})


ARTICLES = {
    "laporan.json": _json(
        "Komnas HAM: Tahanan Tewas Diduga Dianiaya", "Kabar Pagi", "2025-05-12", [LEAD, *BACKGROUND, REPORT_END]
    ),
    "salinan.json": _json(
        "Tahanan Tewas, Komnas HAM Duga Ada Kekerasan", "Warta Timur", "2025-05-13", [LEAD, *BACKGROUND, REPORT_END]
    ),
    "lanjutan.json": _json(
        "Kompolnas Periksa Prosedur Penahanan", "Kabar Pagi", "2025-05-14", [FOLLOW_LEAD, *BACKGROUND, FOLLOW_END]
    ),
}


@pytest.fixture(scope="module")
def corpus(engine: OpenSearch) -> Iterator[str]:
    alias = f"test-grouping-{uuid.uuid4().hex[:10]}"
    ensure_index(engine, alias)
    for key in ARTICLES:  # one batch each, in order, as uploads an hour apart would come
        record = {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}, "object": {"key": key}}}
        outcomes = ingest_messages(
            [(key, json.dumps({"Records": [record]}))],
            engine,
            alias,
            lambda bucket, k: StoredObject(bucket, k, ARTICLES[k].encode()),
        )
        assert all(outcome.indexed == 1 for outcome in outcomes.values())
        engine.indices.refresh(index=alias)
    yield alias
    engine.indices.delete(index=f"{alias}-v*", ignore_unavailable=True)


def _search(reader: SearchClient, alias: str, **params: object) -> SearchResponse:
    return search(reader, alias, SearchRequest.model_validate({"q": "tahanan lebam", **params}))


def test_a_follow_up_sharing_background_is_its_own_result(reader: SearchClient, corpus: str) -> None:
    response = _search(reader, corpus, sort="oldest")
    assert [hit.key for hit in response.results] == ["laporan.json", "lanjutan.json"]
    assert response.groups == 2 and response.total == 3
    assert [hit.more_copies for hit in response.results] == [1, 0]


def test_copies_are_listed_with_title_outlet_and_date(reader: SearchClient, corpus: str) -> None:
    [copy] = _search(reader, corpus, sort="oldest").results[0].copies
    assert copy.title == "Tahanan Tewas, Komnas HAM Duga Ada Kekerasan"
    assert (copy.source, copy.published_at) == ("Warta Timur", "2025-05-13")


def test_a_groups_copies_can_be_listed_as_results(reader: SearchClient, corpus: str) -> None:
    grouped = _search(reader, corpus, sort="oldest").results[0]
    assert grouped.story
    opened = _search(reader, corpus, story=grouped.story, sort="oldest")
    assert [hit.key for hit in opened.results] == ["laporan.json", "salinan.json"]
    assert opened.total == opened.groups == 2
    assert all(hit.more_copies == 0 for hit in opened.results)
