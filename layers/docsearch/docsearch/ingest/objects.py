"""Reading uploaded objects from S3 (the only data access on the ingest side)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_CLIENT_LOCK = threading.Lock()


class ObjectMissing(Exception):
    """The object was deleted (or never existed) before we could read it."""


class ObjectTooLarge(Exception):
    """The object is bigger than the configured limit; it is skipped, not read."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes is over the {limit}-byte limit")
        self.size = size


@dataclass(frozen=True)
class StoredObject:
    bucket: str
    key: str
    body: bytes
    content_type: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


def s3_client() -> Any:
    """This process's S3 client, made once: a cold function's first batch starts its ten reads at the same
    moment, and each would otherwise make a client of its own (tens of ms of CPU each)."""
    with _CLIENT_LOCK:
        return _make_s3_client()


@lru_cache(maxsize=1)
def _make_s3_client() -> Any:
    return boto3.client("s3")


def fetch_object(bucket: str, key: str, max_bytes: int, s3: Any = None) -> StoredObject:
    """Read one object, refusing to download more than ``max_bytes`` (with ``s3``, or this process's client)."""
    try:
        response = (s3 or s3_client()).get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in MISSING_CODES:
            raise ObjectMissing(f"s3://{bucket}/{key} does not exist") from error
        raise
    length = int(response.get("ContentLength") or 0)
    if length > max_bytes:
        response["Body"].close()
        raise ObjectTooLarge(length, max_bytes)
    return StoredObject(
        bucket=bucket,
        key=key,
        body=response["Body"].read(max_bytes + 1)[: max_bytes + 1],
        content_type=response.get("ContentType") or "",
        metadata={k.lower(): v for k, v in (response.get("Metadata") or {}).items()},
    )
