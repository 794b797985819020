"""Updates, deletes and event order, against the real engine (S3 replaced by a dict of objects)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.index.reindex import create_versioned_index
from docsearch.ingest import batch, readahead
from docsearch.ingest.article import document_id
from docsearch.ingest.batch import apply_changes
from docsearch.ingest.events import ObjectChange
from docsearch.ingest.objects import ObjectMissing, StoredObject
from docsearch.ingest.outcome import MessageOutcome

pytestmark = pytest.mark.integration
BUCKET = "ordering-bucket"
KEY = "berita/urutan.txt"
DOC_ID = document_id(BUCKET, KEY)
OLD = b"Banjir Melanda Kota\nAir setinggi satu meter merendam permukiman warga di tepi sungai."
NEW = b"Banjir Mulai Surut\nWarga kembali membersihkan rumah setelah air surut pada pagi hari."


class Bucket:
    """The objects as S3 would return them now."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def fetch(self, bucket: str, key: str) -> StoredObject:
        if key not in self.objects:
            raise ObjectMissing(key)
        return StoredObject(bucket, key, self.objects[key], "text/plain")


@pytest.fixture
def index(engine: OpenSearch, index_alias: str) -> str:
    ensure_index(engine, index_alias)
    return index_alias


def _apply(engine: OpenSearch, index: str, bucket: Bucket, *changes: ObjectChange) -> list[MessageOutcome]:
    tagged = [(f"m{i}", change) for i, change in enumerate(changes)]
    outcomes = {tag: MessageOutcome(tag) for tag, _ in tagged}
    apply_changes(tagged, outcomes, engine, index, bucket.fetch)
    engine.indices.refresh(index=index)
    return [outcomes[tag] for tag, _ in tagged]


def _put(seq: str, key: str = KEY) -> ObjectChange:
    return ObjectChange("upsert", BUCKET, key, seq)


def _delete(seq: str, key: str = KEY) -> ObjectChange:
    return ObjectChange("delete", BUCKET, key, seq)


def _doc(engine: OpenSearch, index: str, doc_id: str = DOC_ID) -> dict[str, Any]:
    found = engine.get(index=index, id=doc_id, ignore=404)
    return found if found.get("found") else {}


def _searchable(engine: OpenSearch, index: str, word: str) -> int:
    query = {"query": {"bool": {"must": {"match": {"body": word}}, "must_not": {"term": {"deleted": True}}}}}
    return int(engine.count(index=index, body=query)["count"])


def test_newer_upload_replaces_and_late_older_upload_is_ignored(engine: OpenSearch, index: str) -> None:
    bucket = Bucket()
    bucket.objects[KEY] = OLD
    assert _apply(engine, index, bucket, _put("0055A1B2C3D4E5F601"))[0].indexed == 1
    bucket.objects[KEY] = NEW
    assert _apply(engine, index, bucket, _put("0055A1B2C3D4E5F602"))[0].indexed == 1
    assert _doc(engine, index)["_source"]["title"] == "Banjir Mulai Surut"
    late = _apply(engine, index, bucket, _put("0055A1B2C3D4E5F601"))[0]  # redelivered old event
    assert late.stale == 1 and late.indexed == 0 and late.status == "done"
    assert _doc(engine, index)["_source"]["title"] == "Banjir Mulai Surut"


def test_delete_leaves_a_tombstone_a_late_create_cannot_resurrect(engine: OpenSearch, index: str) -> None:
    bucket = Bucket()
    bucket.objects[KEY] = OLD
    _apply(engine, index, bucket, _put("A0"))
    assert _searchable(engine, index, "permukiman") == 1
    del bucket.objects[KEY]
    assert _apply(engine, index, bucket, _delete("A1"))[0].deleted == 1
    stored = _doc(engine, index)["_source"]
    assert stored["deleted"] is True and "body" not in stored and "title" not in stored
    assert _searchable(engine, index, "permukiman") == 0
    assert engine.count(index=index, body={"query": {"match": {"body": "permukiman"}}})["count"] == 0
    bucket.objects[KEY] = OLD  # the late create finds an object again (say, a re-upload not yet notified)
    late = _apply(engine, index, bucket, _put("A0"))[0]
    assert late.stale == 1 and _doc(engine, index)["_source"]["deleted"] is True
    again = _apply(engine, index, bucket, _put("A2"))[0]  # the re-upload's own event: live again
    assert again.indexed == 1 and _searchable(engine, index, "permukiman") == 1


def test_delete_that_arrives_before_its_create(engine: OpenSearch, index: str) -> None:
    bucket = Bucket()
    bucket.objects[KEY] = OLD
    assert _apply(engine, index, bucket, _delete("B2"))[0].deleted == 1
    assert _apply(engine, index, bucket, _put("B1"))[0].stale == 1
    assert _searchable(engine, index, "permukiman") == 0


def test_duplicate_delivery_and_identical_reupload_write_nothing(engine: OpenSearch, index: str) -> None:
    bucket = Bucket()
    bucket.objects[KEY] = OLD
    _apply(engine, index, bucket, _put("C1"))
    first = _doc(engine, index)
    again = _apply(engine, index, bucket, _put("C1"))[0]  # the same event delivered twice
    assert again.unchanged == 1 and again.indexed == 0
    assert _doc(engine, index)["_version"] == first["_version"]
    reupload = _apply(engine, index, bucket, _put("C3"))[0]  # same bytes uploaded again
    assert reupload.unchanged == 1 and reupload.indexed == 0
    after = _doc(engine, index)["_source"]
    assert after["indexed_at"] == first["_source"]["indexed_at"] and after["sequencer"] == "C3"
    # A delete that happened between the two identical uploads arrives last: the document stays.
    assert _apply(engine, index, bucket, _delete("C2"))[0].stale == 1
    assert _searchable(engine, index, "permukiman") == 1


def test_sequencers_of_different_widths_and_beyond_64_bits(engine: OpenSearch, index: str) -> None:
    bucket = Bucket()
    bucket.objects[KEY] = OLD
    _apply(engine, index, bucket, _put("FFFFFFFFFFFFFFFFF0"))  # 72 bits: no signed long holds it
    bucket.objects[KEY] = NEW
    assert _apply(engine, index, bucket, _put("01000000000000000000"))[0].indexed == 1  # 19 digits once unpadded
    assert _doc(engine, index)["_source"]["title"] == "Banjir Mulai Surut"
    assert _apply(engine, index, bucket, _put("00FFFFFFFFFFFFFFFFF1"))[0].stale == 1  # padded, but smaller


def test_out_of_order_events_in_one_batch(engine: OpenSearch, index: str) -> None:
    bucket = Bucket()
    bucket.objects[KEY] = NEW
    outcomes = _apply(engine, index, bucket, _put("D2"), _delete("D1"), _put("D0"))
    assert [o.indexed for o in outcomes] == [1, 0, 0] and outcomes[1].stale == outcomes[2].stale == 1
    assert _searchable(engine, index, "membersihkan") == 1


class RacingBucket(Bucket):
    """A bucket whose reads let another writer in: ``race`` runs before each of the first ``times`` reads,
    that is after the batch read the key's state and before it writes."""

    def __init__(self, race: Callable[[], None], times: int = 1) -> None:
        super().__init__()
        self.race = race
        self.left = times
        self.reads = 0

    def fetch(self, bucket: str, key: str) -> StoredObject:
        self.reads += 1
        if self.left > 0:
            self.left -= 1
            self.race()
        return super().fetch(bucket, key)


def _upload_between(engine: OpenSearch, index: str, body: bytes, sequencer: str) -> RacingBucket:
    """A bucket whose first read lets another upload of the key (``body``, event ``sequencer``) be indexed."""
    other = Bucket()
    other.objects[KEY] = body

    def upload() -> None:
        assert _apply(engine, index, other, _put(sequencer))[0].indexed == 1

    return RacingBucket(upload)


def test_a_newer_write_between_read_and_write_wins_and_the_older_event_becomes_stale(
    engine: OpenSearch, index: str
) -> None:
    """The engine, not the read before it, orders writes: a newer event that lands after the batch read the
    key makes the batch's write fail its condition; re-read in the same batch, the older event is stale."""
    bucket = _upload_between(engine, index, NEW, "E5")
    bucket.objects[KEY] = OLD
    late = _apply(engine, index, bucket, _put("E4"))[0]
    assert late.status == "done" and late.stale == 1 and late.indexed == 0, late
    assert bucket.reads == 1  # stale on the re-read: its object is not fetched again
    stored = _doc(engine, index)["_source"]
    assert stored["title"] == "Banjir Mulai Surut" and stored["sequencer"] == "E5"


def test_an_older_write_between_read_and_write_is_replaced_after_an_in_batch_re_read(
    engine: OpenSearch, index: str
) -> None:
    bucket = _upload_between(engine, index, OLD, "E1")
    bucket.objects[KEY] = NEW
    outcome = _apply(engine, index, bucket, _put("E2"))[0]
    assert outcome.status == "done" and outcome.indexed == 1 and not outcome.errors, outcome
    assert bucket.reads == 2  # refused once (409), then re-read and fetched again in the same batch
    stored = _doc(engine, index)["_source"]
    assert stored["title"] == "Banjir Mulai Surut" and stored["sequencer"] == "E2"


def test_a_delete_racing_an_older_upload_is_kept_and_a_late_delete_after_a_newer_upload_is_a_no_op(
    engine: OpenSearch, index: str
) -> None:
    bucket = Bucket()
    bucket.objects[KEY] = OLD

    def newer_delete() -> None:
        assert _apply(engine, index, Bucket(), _delete("E7"))[0].deleted == 1

    racing = RacingBucket(newer_delete)
    racing.objects[KEY] = OLD
    assert _apply(engine, index, racing, _put("E6"))[0].stale == 1
    assert _doc(engine, index)["_source"]["deleted"] is True
    bucket.objects[KEY] = NEW
    assert _apply(engine, index, bucket, _put("E9"))[0].indexed == 1
    late = _apply(engine, index, bucket, _delete("E8"))[0]  # the delete before that upload, delivered late
    assert late.stale == 1 and late.deleted == 0 and _searchable(engine, index, "membersihkan") == 1


def test_an_unordered_write_reads_its_object_only_after_its_state(
    engine: OpenSearch, index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a sequencer only the guard orders a write: had the object been read before the state, an upload
    indexed in between would pass the guard and its newer document be replaced by the older bytes."""
    other_key = "berita/lain.txt"
    replaced = threading.Event()
    read_states = batch.read_states
    first: list[bool] = []

    def states_after_any_early_read(*args: Any, **kwargs: Any) -> Any:
        if not first:  # a read started before the states would get its chance to land first
            first.append(True)
            replaced.wait(timeout=1.0)
        return read_states(*args, **kwargs)

    monkeypatch.setattr(batch, "read_states", states_after_any_early_read)

    class ReplacedAfterRead(Bucket):
        def __init__(self) -> None:
            super().__init__()
            self.replaced = False

        def fetch(self, bucket: str, key: str) -> StoredObject:
            read = super().fetch(bucket, key)
            if key == KEY and not self.replaced:  # the object changes, and its event is indexed, after this read
                self.replaced = True
                self.objects[KEY] = NEW
                newer = Bucket()
                newer.objects[KEY] = NEW
                assert _apply(engine, index, newer, _put("J1"))[0].indexed == 1
                replaced.set()
            return read

    bucket = ReplacedAfterRead()
    bucket.objects |= {KEY: OLD, other_key: OLD}
    backfilled = _apply(engine, index, bucket, _put(""), _put("", other_key))
    assert [o.status for o in backfilled] == ["done", "done"], backfilled
    stored = _doc(engine, index)["_source"]
    assert (stored["title"], stored["sequencer"]) == ("Banjir Mulai Surut", "J1")


def test_a_key_that_keeps_changing_under_the_batch_goes_back_to_the_queue(engine: OpenSearch, index: str) -> None:
    writes = iter(["E1", "E2"])

    def another_older_upload() -> None:
        other = Bucket()
        other.objects[KEY] = OLD + next(writes).encode()
        assert _apply(engine, index, other, _put("")).pop().indexed == 1  # unordered: always written

    bucket = RacingBucket(another_older_upload, times=2)
    bucket.objects[KEY] = NEW
    outcome = _apply(engine, index, bucket, _put("E3"))[0]
    assert outcome.status == "retry" and outcome.indexed == 0, outcome
    assert "changed since read" in outcome.errors[0]
    assert _doc(engine, index)["_source"]["body"].endswith("E2")  # the racing writer's, not overwritten
    again = _apply(engine, index, bucket, _put("E3"))[0]  # the queue's redelivery
    assert again.status == "done" and again.indexed == 1
    assert _doc(engine, index)["_source"]["title"] == "Banjir Mulai Surut"


def test_a_race_in_the_index_a_reindex_is_filling_is_redone_there_and_counted_once(
    engine: OpenSearch, index: str
) -> None:
    """The write to the live index goes through, the one to the new index loses to the copy (which brings an
    older version): the re-read finds the live index current and writes only the new index."""
    building = create_versioned_index(engine, index, 99, refresh_off=False)
    copied = Bucket()
    copied.objects[KEY] = OLD

    def the_copy_arrives() -> None:
        outcomes = {"copy": MessageOutcome("copy")}
        apply_changes([("copy", _put("H1"))], outcomes, engine, building, copied.fetch)
        assert outcomes["copy"].indexed == 1

    bucket = RacingBucket(the_copy_arrives)
    bucket.objects[KEY] = NEW
    outcomes = {"m": MessageOutcome("m")}
    apply_changes([("m", _put("H2"))], outcomes, engine, index, bucket.fetch, building=lambda: [building])
    assert outcomes["m"].status == "done" and outcomes["m"].indexed == 1 and outcomes["m"].unchanged == 0
    assert bucket.reads == 2
    for name in (index, building):
        stored = _doc(engine, name)["_source"]
        assert (stored["title"], stored["sequencer"]) == ("Banjir Mulai Surut", "H2"), name


def test_object_that_becomes_unindexable_takes_its_document_with_it(engine: OpenSearch, index: str) -> None:
    bucket = Bucket()
    bucket.objects[KEY] = OLD
    _apply(engine, index, bucket, _put("F1"))
    bucket.objects[KEY] = b""  # replaced by an empty file
    outcome = _apply(engine, index, bucket, _put("F2"))[0]
    assert outcome.skipped == ["empty"] and outcome.deleted == 1 and outcome.status == "done"
    assert _searchable(engine, index, "permukiman") == 0


def test_backfill_style_unordered_write_keeps_the_order_mark(engine: OpenSearch, index: str) -> None:
    bucket = Bucket()
    bucket.objects[KEY] = OLD
    _apply(engine, index, bucket, _put("G5"))
    bucket.objects[KEY] = NEW
    assert _apply(engine, index, bucket, _put(""))[0].indexed == 1  # a backfill has no sequencer
    assert _doc(engine, index)["_source"]["sequencer"] == "G5"
    assert _apply(engine, index, bucket, _put("G4"))[0].stale == 1


def test_objects_are_extracted_while_the_engine_answers_and_only_written_when_the_plan_wants_them(
    engine: OpenSearch, index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch extracts the objects it has read while its state lookup is in flight; the plan then decides as
    ever: identical content is not written, an unreadable object is skipped, a new one is indexed."""
    bucket = Bucket()
    same, new, broken = "berita/sama.txt", "berita/baru.txt", "berita/rusak.txt"
    bucket.objects[same] = OLD
    assert _apply(engine, index, bucket, _put("A1", same))[0].indexed == 1
    bucket.objects |= {new: NEW, broken: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}
    extracted_during_lookup: list[str] = []
    extract = readahead.extract_article
    lookup_done = threading.Event()

    def recording(body: bytes, metadata: dict[str, str], **kwargs: Any) -> Any:
        if not lookup_done.is_set():
            extracted_during_lookup.append(kwargs["key"])
        return extract(body, metadata, **kwargs)

    def slow_lookup() -> list[str]:
        threading.Event().wait(0.5)  # the engine taking its time: every read is back well before
        lookup_done.set()
        return []

    monkeypatch.setattr(readahead, "extract_article", recording)
    tagged = [("same", _put("A2", same)), ("new", _put("A1", new)), ("broken", _put("A1", broken))]
    outcomes = {tag: MessageOutcome(tag) for tag, _ in tagged}
    apply_changes(tagged, outcomes, engine, index, bucket.fetch, building=slow_lookup)

    assert sorted(extracted_during_lookup) == sorted([same, new, broken])
    assert outcomes["same"].unchanged == 1 and outcomes["same"].indexed == 0
    assert outcomes["new"].indexed == 1
    assert outcomes["broken"].skipped == ["binary"] and outcomes["broken"].status == "done"
    engine.indices.refresh(index=index)
    assert _doc(engine, index, document_id(BUCKET, same))["_source"]["sequencer"] == "A2"  # only the mark moved
