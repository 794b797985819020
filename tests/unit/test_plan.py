"""The plan on its own: one change and the stored states in, the write (or why none) out. No engine: the
object is read and extracted through the fakes each test hands it."""

from __future__ import annotations

import hashlib

import pytest

from docsearch.document import STATE_FIELDS, STORED_FIELDS
from docsearch.ingest.article import Article
from docsearch.ingest.events import ObjectChange
from docsearch.ingest.extract import Unindexable
from docsearch.ingest.objects import ObjectMissing, ObjectTooLarge, StoredObject
from docsearch.ingest.plan import Plan, plan_change
from docsearch.ingest.state import StoredState, latest_changes

ALIAS, NEXT = "articles", "articles-v2"
BUCKET, KEY = "berita", "2024/banjir.txt"
BODY = b"Banjir di Jakarta\n\nHujan deras sejak pagi membuat sungai meluap."
HASH = hashlib.sha256(BODY).hexdigest()
ARTICLE = Article(title="Banjir di Jakarta", body="Hujan deras sejak pagi membuat sungai meluap.")


def fetch(bucket: str, key: str) -> StoredObject:
    return StoredObject(bucket, key, BODY)


def extract(key: str, obj: StoredObject) -> Article:
    return ARTICLE


def never(*_: object) -> StoredObject:
    raise AssertionError("the plan read an object it does not need")


def plan(
    change: ObjectChange,
    alias: StoredState | None = None,
    building: dict[str, StoredState | None] | None = None,
    *,
    read: object = fetch,
    extracted: object = extract,
    out_of_time: bool = False,
) -> Plan:
    return plan_change(
        "m1",
        "doc1",
        change,
        {ALIAS: alias, **(building or {})},
        ALIAS,
        read,  # type: ignore[arg-type]
        extracted,  # type: ignore[arg-type]
        out_of_time=out_of_time,
    )


def put(sequencer: str = "0A") -> ObjectChange:
    return ObjectChange("upsert", BUCKET, KEY, sequencer, len(BODY))


def delete(sequencer: str = "0A") -> ObjectChange:
    return ObjectChange("delete", BUCKET, KEY, sequencer)


def live(sequencer: str, content_hash: str = "other") -> StoredState:
    return StoredState(sequencer, content_hash, False, seq_no=3, primary_term=1)


def test_a_new_key_is_created_only_if_still_absent() -> None:
    write = plan(put()).write
    assert write is not None and write.kind == "indexed" and not write.live_before
    op = write.op(ALIAS, None)
    assert op is not None and op["_op_type"] == "create" and "if_seq_no" not in op
    assert op["_source"]["title"] == "Banjir di Jakarta" and op["_source"]["sequencer"] == "A"
    assert set(op["_source"]) <= STORED_FIELDS


def test_an_update_replaces_the_document_it_read_and_only_that() -> None:
    write = plan(put("0B"), live("A")).write
    assert write is not None and write.kind == "indexed" and write.live_before
    op = write.op(ALIAS, live("A"))
    assert op is not None and op["_op_type"] == "index"
    assert (op["if_seq_no"], op["if_primary_term"]) == (3, 1)


def test_identical_content_is_not_extracted_nor_written() -> None:
    result = plan(put("A"), live("A", HASH), extracted=never)
    assert result.write is None and result.unchanged


def test_identical_content_under_a_newer_event_only_moves_the_order_mark() -> None:
    result = plan(put("B"), live("A", HASH), extracted=never)
    assert result.write is not None and result.write.kind == "unchanged"
    op = result.write.op(ALIAS, live("A", HASH))
    assert op == {"_op_type": "update", "_index": ALIAS, "_id": "doc1", "if_seq_no": 3, "if_primary_term": 1,
                  "doc": {"sequencer": "B"}}  # fmt: skip


def test_an_older_event_is_stale_and_reads_nothing() -> None:
    assert plan(put("09"), live("0A"), read=never) == Plan(stale=True)
    assert plan(delete("09"), live("0A")) == Plan(stale=True)


def test_sequencers_compare_as_numbers_whatever_their_width() -> None:
    assert plan(put("00FF"), live("100"), read=never).stale
    assert not plan(put("100"), live("FF")).stale


def test_a_delete_writes_a_tombstone_with_its_order_mark() -> None:
    write = plan(delete("0C"), live("A")).write
    assert write is not None and write.kind == "deleted" and write.doc is not None
    assert write.doc["deleted"] is True and write.doc["sequencer"] == "C" and "title" not in write.doc
    op = write.op(ALIAS, live("A"))
    assert op is not None and op["_op_type"] == "index" and op["if_seq_no"] == 3


def test_a_delete_without_a_sequencer_is_a_plain_delete() -> None:
    write = plan(delete("")).write
    assert write is not None and write.doc is None
    assert write.op(ALIAS, None) == {"_op_type": "delete", "_index": ALIAS, "_id": "doc1"}


def test_a_repeated_delete_writes_nothing() -> None:
    write = plan(delete("0C"), StoredState("C", "", True)).write
    assert write is not None and write.op(ALIAS, StoredState("C", "", True, 4, 1)) is None


def test_an_unindexable_object_leaves_a_skip_record_that_replaces_the_old_document() -> None:
    def refuse(key: str, obj: StoredObject) -> Article:
        raise Unindexable("binary", "looks like an image")

    result = plan(put("B"), live("A"), extracted=refuse)
    assert result.skip is not None and result.skip.reason == "binary" and result.skip.key == KEY
    assert result.write is not None and result.write.kind == "deleted"  # the old document goes too
    record = result.write.doc
    assert record is not None and record["skip_reason"] == "binary" and record["content_hash"] == HASH
    assert plan(put("B"), None, extracted=refuse).write.kind == "skipped"  # type: ignore[union-attr]


def test_a_too_large_object_is_skipped_by_its_size_without_being_read() -> None:
    def too_large(bucket: str, key: str) -> StoredObject:
        raise ObjectTooLarge(size=99_000_000, limit=10_000_000)

    result = plan(put(), read=too_large)
    assert result.skip is not None and result.skip.reason == "too_large"
    assert result.write is not None and result.write.doc is not None and result.write.doc["size"] == 99_000_000


def test_an_object_gone_before_it_was_read_is_skipped_without_a_write() -> None:
    def gone(bucket: str, key: str) -> StoredObject:
        raise ObjectMissing(key)

    result = plan(put(), read=gone)
    assert result.write is None and result.skip is not None and result.skip.reason == "object_missing"


def test_a_failed_read_is_retried_and_a_bug_in_extraction_is_a_skip() -> None:
    def throttled(bucket: str, key: str) -> StoredObject:
        raise ConnectionError("SlowDown")

    def buggy(key: str, obj: StoredObject) -> Article:
        raise IndexError("list index out of range")

    retried = plan(put(), read=throttled)
    assert retried.write is None and retried.error.startswith("fetch: ") and retried.skip is None
    skipped = plan(put(), extracted=buggy)
    assert skipped.error == "" and skipped.skip is not None and skipped.skip.reason == "extraction_error"
    assert skipped.skip.detail == "IndexError: list index out of range"
    assert skipped.write is not None and skipped.write.doc is not None
    assert skipped.write.doc["skip_reason"] == "extraction_error"


def test_out_of_time_retries_an_upsert_but_still_decides_a_delete() -> None:
    assert plan(put(), read=never, out_of_time=True).error
    assert plan(delete("0C"), out_of_time=True).write is not None


def test_an_index_a_reindex_fills_gets_the_whole_document_when_the_alias_is_unchanged() -> None:
    result = plan(put("B"), live("A", HASH), {NEXT: None})
    assert result.write is not None and result.write.kind == "unchanged"
    assert result.write.op(ALIAS, live("A", HASH))["doc"] == {"sequencer": "B"}  # type: ignore[index]
    op = result.write.op(NEXT, None)
    assert op is not None and op["_op_type"] == "create" and op["_source"]["title"] == "Banjir di Jakarta"


def test_an_unordered_write_keeps_the_order_mark_it_finds() -> None:
    write = plan(put(""), live("0A")).write
    assert write is not None
    op = write.op(ALIAS, live("A"))
    assert op is not None and op["_source"]["sequencer"] == "A"


def test_refused_document_becomes_a_skip_record_keeping_its_identity() -> None:
    write = plan(put("B"), live("A")).write
    assert write is not None
    record = write.refused("index: 400 mapper_parsing_exception")
    assert record.kind == "deleted" and record.doc is not None
    assert record.doc["skip_reason"] == "engine_rejected" and record.doc["content_hash"] == HASH
    assert record.doc["sequencer"] == "B" and record.doc["key"] == KEY


@pytest.mark.parametrize("field", STATE_FIELDS)
def test_the_state_read_is_of_stored_fields(field: str) -> None:
    assert field in STORED_FIELDS


def test_the_latest_change_of_a_key_wins_and_the_others_are_stale() -> None:
    changes = [("m1", put("0B")), ("m2", put("A")), ("m3", delete("C")), ("m4", put(""))]
    latest, superseded = latest_changes(changes)
    assert list(latest.values()) == [("m4", put(""))]  # unordered: after whatever came before it in the batch
    assert superseded == ["m2", "m1", "m3"]
    latest, superseded = latest_changes([("m1", put("0C")), ("m2", delete("0B"))])
    assert [tag for tag, _ in latest.values()] == ["m1"] and superseded == ["m2"]


def test_a_compressed_object_counts_in_its_wave_as_what_it_may_unpack_to() -> None:
    from docsearch.ingest.readahead import waves

    budget = 10 * 2**20
    plain = [(f"t{i}", ("k", ObjectChange("upsert", "b", f"a{i}.html", "1", 2**20))) for i in range(3)]
    packed = [(f"g{i}", ("k", ObjectChange("upsert", "b", f"a{i}.html.gz", "1", 2**20))) for i in range(3)]
    assert len(waves(plain, budget)) == 1  # 3 MiB of pages fit one wave
    assert len(waves(packed, budget)) == 3  # each 1 MiB .gz may unpack to the 10 MiB limit: one a wave
