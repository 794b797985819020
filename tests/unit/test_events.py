import json

import pytest

from docsearch.ingest.events import MalformedMessage, ObjectChange, parse_notification
from docsearch_local.events import s3_notification


def _notification(event_name: str, key: str, sequencer: str = "0A1") -> str:
    return s3_notification("docsearch-articles", key, event_name, sequencer=sequencer, size=12)


def test_created_object_with_encoded_key_is_decoded() -> None:
    body = _notification("ObjectCreated:Put", "berita/kunci dengan spasi+plus é.txt")
    assert '"berita/kunci+dengan+spasi%2Bplus+%C3%A9.txt"' in body  # as S3 encodes it
    assert parse_notification(body) == [
        ObjectChange("upsert", "docsearch-articles", "berita/kunci dengan spasi+plus é.txt", "0A1", 12)
    ]


def test_removed_object_is_a_delete() -> None:
    [change] = parse_notification(_notification("ObjectRemoved:Delete", "a.txt"))
    assert change.action == "delete"
    assert change.key == "a.txt"


def test_s3_test_event_yields_nothing() -> None:
    assert parse_notification(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})) == []


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"Records": "x"}),
        json.dumps({"Records": [{"eventName": "ObjectCreated:Put"}]}),
        _notification("ObjectRestore:Post", "a.txt"),
    ],
)
def test_malformed_messages_are_rejected(body: str) -> None:
    with pytest.raises(MalformedMessage):
        parse_notification(body)


def test_lifecycle_expiry_and_delete_markers_are_deletes_with_their_sequencer() -> None:
    for name in ("LifecycleExpiration:Delete", "ObjectRemoved:DeleteMarkerCreated"):
        [change] = parse_notification(s3_notification("b", "a.txt", name, sequencer="0055AED6DCD90281E5"))
        assert (change.action, change.sequencer) == ("delete", "0055AED6DCD90281E5")


def test_the_services_own_settings_are_never_articles() -> None:
    assert parse_notification(_notification("ObjectCreated:Put", "_config/aliases.txt")) == []
    assert parse_notification(_notification("ObjectRemoved:Delete", "_config/aliases.txt")) == []
    assert len(parse_notification(_notification("ObjectCreated:Put", "berita/_config/aliases.txt"))) == 1


def test_a_backfill_leaves_the_services_own_settings_out() -> None:
    from docsearch.ingest.backfill import list_keys

    class _Pages:
        def paginate(self, **_: object) -> list[dict[str, object]]:
            keys = ["_config/aliases.txt", "berita/", "berita/a.txt"]
            return [{"Contents": [{"Key": key, "Size": 3} for key in keys]}]

    class _S3:
        def get_paginator(self, name: str) -> _Pages:
            return _Pages()

    assert list_keys(_S3(), "b", "") == [("berita/a.txt", 3)]
