"""Permanent failures are skips, transient ones retries (real engine; S3 replaced by a dict of objects).

An object that can never be indexed is skipped with a reason, once, and the key's previous
document is tombstoned (its old text must not stay searchable); it never goes back to the
queue to end in the dead-letter queue.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from opensearchpy import OpenSearch
from opensearchpy.exceptions import TransportError

from docsearch.index.definition import ensure_index, index_definition, versioned_name
from docsearch.ingest import readahead
from docsearch.ingest.article import document_id
from docsearch.ingest.batch import ingest_messages
from docsearch.ingest.objects import ObjectMissing, StoredObject
from docsearch.ingest.outcome import MessageOutcome

pytestmark = pytest.mark.integration
BUCKET = "permanent-bucket"
OLD = b"Banjir Melanda Kota\nAir setinggi satu meter merendam permukiman warga di tepi sungai kemarin."
OLD_JSON = json.dumps({"title": "Banjir Melanda Kota", "body": OLD.decode().split("\n")[1]}).encode()


class Bucket:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.sequence = 0

    def fetch(self, bucket: str, key: str) -> StoredObject:
        if key not in self.objects:
            raise ObjectMissing(key)
        return StoredObject(bucket, key, self.objects[key])

    def put(self, key: str, body: bytes) -> tuple[str, str]:
        """Store ``body`` under ``key``; return its (message id, S3 notification) as SQS would carry it."""
        self.sequence += 1
        self.objects[key] = body
        record = {
            "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": BUCKET}, "object": {"key": key, "sequencer": f"{self.sequence:08X}"}},
        }
        return f"m{self.sequence}", json.dumps({"Records": [record]})


def _ingest(engine: OpenSearch, index: str, bucket: Bucket, *messages: tuple[str, str]) -> list[MessageOutcome]:
    outcomes = ingest_messages(list(messages), engine, index, bucket.fetch)
    engine.indices.refresh(index=index)
    return [outcomes[message_id] for message_id, _ in messages]


def _doc(engine: OpenSearch, index: str, key: str) -> dict[str, Any]:
    return dict(engine.get(index=index, id=document_id(BUCKET, key))["_source"])


def _searchable(engine: OpenSearch, index: str, word: str) -> int:
    query = {"bool": {"must": {"match": {"body": word}}, "must_not": {"term": {"deleted": True}}}}
    return int(engine.count(index=index, body={"query": query})["count"])


@pytest.fixture
def index(engine: OpenSearch, index_alias: str) -> str:
    ensure_index(engine, index_alias)
    return index_alias


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("deep", b'{"title": "Judul", "body": "Isi", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        ("huge_number", b'{"title": "Judul", "body": "Isi", "x": ' + b"9" * 5000 + b"}"),
    ],
)
def test_json_past_the_parser_limits_is_skipped_and_retires_the_old_text(
    engine: OpenSearch, index: str, name: str, body: bytes
) -> None:
    bucket = Bucket()
    key = f"berita/{name}.json"
    assert _ingest(engine, index, bucket, bucket.put(key, OLD_JSON))[0].indexed == 1
    assert _searchable(engine, index, "permukiman") == 1

    [outcome] = _ingest(engine, index, bucket, bucket.put(key, body))
    assert outcome.status == "done" and outcome.skipped == ["parse_limit"]  # not retried into the DLQ
    assert outcome.deleted == 1 and _doc(engine, index, key)["deleted"] is True
    assert _searchable(engine, index, "permukiman") == 0  # the old version's text is gone


def test_immense_keyword_values_are_bounded_not_retried(engine: OpenSearch, index: str) -> None:
    bucket = Bucket()
    huge = "x" * 40_000  # over the engine's 32,766-byte limit for one term
    article = {"title": "Harga Beras Naik", "body": "Harga beras naik di pasar induk.", "source": "s" + huge}
    article |= {"author": "Budi " + huge, "url": "https://contoh.id/" + huge}
    [outcome] = _ingest(engine, index, bucket, bucket.put("berita/panjang.json", json.dumps(article).encode()))
    assert outcome.status == "done" and outcome.indexed == 1, outcome
    doc = _doc(engine, index, "berita/panjang.json")
    assert 0 < len(doc["source"]) <= 256 and len(doc["author"]) <= 256 and doc.get("url") is None
    assert _searchable(engine, index, "beras") == 1


def test_the_mapping_ignores_keyword_values_too_long_for_a_term(engine: OpenSearch, index: str) -> None:
    # The second fence, for writes that do not come through extraction: ignore_above keeps the
    # engine from refusing the document (the value stays in _source, it is just not a term).
    huge = "x" * 40_000
    doc = {"bucket": BUCKET, "key": "langsung.txt", "title": "Judul", "body": "Isi", "deleted": False}
    doc |= {"source": huge, "author": huge, "editor": huge, "dateline": huge, "url": huge}
    engine.index(index=index, id="langsung", body=doc, refresh=True)
    assert engine.get(index=index, id="langsung")["_source"]["author"] == huge


def test_an_engine_refusal_of_one_document_is_its_skip_not_the_batch_retry(
    engine: OpenSearch, index_alias: str
) -> None:
    # An index whose mapping cannot take an author (as an index built from another definition might):
    # the engine answers 400 for that one document only.
    definition = copy.deepcopy(index_definition())
    definition["mappings"]["properties"]["author"] = {"type": "date"}
    body = {"settings": definition["settings"], "mappings": definition["mappings"], "aliases": {index_alias: {}}}
    engine.indices.create(index=versioned_name(index_alias), body=body)
    bucket = Bucket()
    assert _ingest(engine, index_alias, bucket, bucket.put("a.txt", OLD))[0].indexed == 1

    with_author = b"Banjir Surut\nPenulis: Budi Santoso\n\nAir mulai surut dan warga kembali ke rumah masing-masing."
    fine = b"Harga Cabai\nHarga cabai rawit naik tajam di pasar tradisional menjelang hari raya."
    messages = bucket.put("a.txt", with_author), bucket.put("b.txt", fine)
    refused, accepted = _ingest(engine, index_alias, bucket, *messages)
    assert refused.status == "done" and refused.skipped == ["engine_rejected"], refused
    assert refused.deleted == 1 and _doc(engine, index_alias, "a.txt")["deleted"] is True  # old text retired
    assert accepted.status == "done" and accepted.indexed == 1
    assert _searchable(engine, index_alias, "permukiman") == 0 and _searchable(engine, index_alias, "cabai") == 1


class SmallRequestEngine:
    """The real engine behind a front that, like Amazon OpenSearch Service on small instances, answers 413 to
    any ``_bulk`` request bigger than ``limit`` bytes (a local node takes 100 MB)."""

    def __init__(self, engine: OpenSearch, limit: int) -> None:
        self.engine, self.limit = engine, limit

    def bulk(self, body: str, **kwargs: Any) -> Any:
        if len(body.encode()) > self.limit:
            raise TransportError(413, "Request Entity Too Large", {})
        return self.engine.bulk(body=body, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)


def test_a_document_bigger_than_the_engine_takes_in_one_request_is_its_skip(
    engine: OpenSearch, index_alias: str
) -> None:
    ensure_index(engine, index_alias)
    bucket = Bucket()
    assert _ingest(engine, index_alias, bucket, bucket.put("a.txt", OLD))[0].indexed == 1
    small = SmallRequestEngine(engine, limit=20_000)
    lines = (f"Hujan deras ke-{n} mengguyur kota sepanjang malam hingga pagi hari ini.\n\n" for n in range(400))
    huge = b"Banjir Besar\n\n" + "".join(lines).encode()
    fine = b"Harga Cabai\nHarga cabai rawit naik tajam di pasar tradisional menjelang hari raya."
    messages = bucket.put("a.txt", huge), bucket.put("b.txt", fine)
    outcomes = ingest_messages(list(messages), small, index_alias, bucket.fetch)  # type: ignore[arg-type]
    engine.indices.refresh(index=index_alias)
    refused, accepted = (outcomes[message_id] for message_id, _ in messages)
    assert refused.status == "done" and refused.skipped == ["engine_rejected"], refused
    assert "413" in refused.skips[0].detail
    assert refused.deleted == 1 and _doc(engine, index_alias, "a.txt")["skip_reason"] == "engine_rejected"
    assert accepted.status == "done" and accepted.indexed == 1
    assert _searchable(engine, index_alias, "permukiman") == 0 and _searchable(engine, index_alias, "cabai") == 1


def test_a_bug_in_extraction_is_that_object_s_skip_and_a_failed_read_a_retry(
    engine: OpenSearch, index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Errors named for what failed: an exception inside extraction (deterministic for those bytes) skips the
    object as ``extraction_error`` and retires its old text; a failed S3 read retries the message, and the
    batch's other objects are indexed either way."""
    bucket = Bucket()
    assert _ingest(engine, index, bucket, bucket.put("berita/rusak.txt", OLD))[0].indexed == 1
    extract = readahead.extract_article

    def buggy(body: bytes, metadata: dict[str, str], **kwargs: Any) -> Any:
        if kwargs["key"] == "berita/rusak.txt":
            raise KeyError("dateline")  # a bug in a reader, hit by these bytes only
        return extract(body, metadata, **kwargs)

    monkeypatch.setattr(readahead, "extract_article", buggy)
    broken = bucket.put("berita/rusak.txt", OLD + b"\nPembaruan: air mulai surut pada sore hari.")
    good = bucket.put("berita/baik.txt", b"Gempa Kecil\nGempa kecil mengguncang kota tanpa menimbulkan kerusakan.")
    unreadable = bucket.put("berita/lambat.txt", b"Judul\nIsi berita yang tidak terbaca karena S3 sibuk.")

    def throttled(b: str, key: str) -> StoredObject:
        if key == "berita/lambat.txt":
            raise ConnectionError("S3 SlowDown")
        return bucket.fetch(b, key)

    outcomes = ingest_messages([broken, good, unreadable], engine, index, throttled)
    engine.indices.refresh(index=index)
    skipped, indexed, retried = (outcomes[message_id] for message_id, _ in (broken, good, unreadable))
    assert skipped.status == "done" and skipped.skipped == ["extraction_error"]
    assert skipped.skips[0].detail == "KeyError: 'dateline'"
    record = _doc(engine, index, "berita/rusak.txt")
    assert record["deleted"] is True and record["skip_reason"] == "extraction_error"
    assert _searchable(engine, index, "permukiman") == 0  # the old text does not outlive its object
    assert indexed.status == "done" and indexed.indexed == 1
    assert retried.status == "retry" and retried.errors[0].startswith("fetch: ConnectionError")
    assert retried.skips == []
