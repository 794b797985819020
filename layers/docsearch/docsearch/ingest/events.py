"""S3 event notifications (as delivered in SQS message bodies) -> object changes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote_plus

from docsearch.settings import CONFIG_PREFIX


class MalformedMessage(ValueError):
    """The message is not an S3 notification we understand; retrying cannot help."""


@dataclass(frozen=True)
class ObjectChange:
    action: Literal["upsert", "delete"]
    bucket: str
    key: str
    sequencer: str = ""
    size: int | None = None


def parse_notification(body: str) -> list[ObjectChange]:
    """Parse one SQS message body holding an S3 notification.

    ``s3:TestEvent`` (sent once when a notification is configured) yields no change, nor does a change
    under ``_config/`` (the service's own settings, e.g. the newsroom's alias list: never an article).
    Keys arrive URL-encoded with ``+`` for spaces and are decoded here.
    """
    try:
        message = json.loads(body)
    except (json.JSONDecodeError, TypeError) as error:
        raise MalformedMessage(f"body is not JSON: {error}") from error
    if not isinstance(message, dict):
        raise MalformedMessage("body is not a JSON object")
    if message.get("Event") == "s3:TestEvent":
        return []
    records = message.get("Records")
    if not isinstance(records, list):
        raise MalformedMessage("no Records list in the S3 notification")
    changes = [_parse_record(record) for record in records]
    return [change for change in changes if not change.key.startswith(CONFIG_PREFIX)]


def _parse_record(record: object) -> ObjectChange:
    try:
        assert isinstance(record, dict)
        name = str(record["eventName"])
        s3 = record["s3"]
        bucket = str(s3["bucket"]["name"])
        obj = s3["object"]
        key = unquote_plus(str(obj["key"]))
    except (KeyError, TypeError, AssertionError) as error:
        raise MalformedMessage(f"S3 record lacks {error}") from error
    if name.startswith("ObjectCreated:"):
        action: Literal["upsert", "delete"] = "upsert"
    elif name.startswith(("ObjectRemoved:", "LifecycleExpiration:")):  # a lifecycle rule's expiry is a delete too
        action = "delete"
    else:
        raise MalformedMessage(f"unsupported S3 event {name!r}")
    size = obj.get("size")
    return ObjectChange(action, bucket, key, str(obj.get("sequencer", "")), size if isinstance(size, int) else None)
