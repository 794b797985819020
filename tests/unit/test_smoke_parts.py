"""docsearch_cli.smoke's parts without a stack: the probe, the waits' failures, the cleanup."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from docsearch_cli import smoke


class FakeS3:
    def __init__(self, versions: list[dict[str, str]] | None = None) -> None:
        self.objects: dict[str, bytes] = {}
        self.deleted: list[tuple[str, str | None]] = []
        self.versions = versions or []

    def put_object(self, Bucket: str, Key: str, Body: bytes, ContentType: str) -> None:
        self.objects[Key] = Body

    def delete_object(self, Bucket: str, Key: str, VersionId: str | None = None) -> None:
        self.objects.pop(Key, None)
        self.deleted.append((Key, VersionId))

    def list_object_versions(self, Bucket: str, Prefix: str) -> dict[str, Any]:
        return {"Versions": [v for v in self.versions if v["Key"].startswith(Prefix)], "DeleteMarkers": []}


def test_the_probe_token_has_nothing_a_stemmer_could_strip() -> None:
    for _ in range(200):
        token = smoke.probe_token()
        assert re.fullmatch(r"zq[bcdfghjklmnpqrstvwxz]{10}x", token)
    article = json.loads(smoke.probe_article("zqkrtbvdmnpqx"))
    assert "zqkrtbvdmnpqx" in article["title"] and article["body"].count("\n\n") == 2


def test_purge_removes_exactly_the_probe_key_versions() -> None:
    s3 = FakeS3(
        [{"Key": "docsearch-smoke/a.json", "VersionId": "1"}, {"Key": "docsearch-smoke/a.json.bak", "VersionId": "2"}]
    )
    assert smoke.purge_versions(s3, "b", "docsearch-smoke/a.json") == 1
    assert s3.deleted == [("docsearch-smoke/a.json", "1")]


def test_a_probe_never_found_fails_after_the_timeout_and_is_removed() -> None:
    s3 = FakeS3()
    waits: list[float] = []

    def get(path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, {"total": 0, "results": []}

    with pytest.raises(smoke.SmokeFailed, match="not searchable within 5s"):
        smoke.run(s3, "b", get, timeout_s=5, sleep=waits.append)
    assert s3.objects == {} and len(waits) == 1  # polled, waited within the bound, gave up; object deleted


def test_an_api_error_is_reported_with_its_message() -> None:
    def get(path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 403, {"error": {"message": "Forbidden"}}

    with pytest.raises(smoke.SmokeFailed, match="answered 403: Forbidden"):
        smoke.run(FakeS3(), "b", get, timeout_s=30, sleep=lambda _: None)


def test_a_document_view_of_another_document_fails() -> None:
    def get(path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path == "/search":
            key = f"{smoke.PROBE_PREFIX}{params['q']}.json"
            return 200, {"total": 1, "results": [{"id": "d1", "key": key}]}
        return 200, {"key": "other.txt", "body": "lain"}

    with pytest.raises(smoke.SmokeFailed, match="another document"):
        smoke.run(FakeS3(), "b", get, timeout_s=30, sleep=lambda _: None)
