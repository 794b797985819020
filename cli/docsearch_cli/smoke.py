"""`docsearch smoke`: one article through a deployed stack, end to end, and out again.

Upload a probe article to the bucket, wait until the HTTP API finds it, open its document view,
delete the object, wait until the API no longer finds it, then remove the probe's object versions
(the bucket is versioned). Each step is timed; the first that fails ends the run (the probe is
still deleted). Nothing but the HTTP API is read: what a user would see, through the API's own auth.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The probe's one unusual word: consonants only, so no Indonesian prefix or suffix rule can stem it
# into another word, and no real article contains it.
_LETTERS = "bcdfghjklmnpqrstvwxz"
PROBE_PREFIX = "docsearch-smoke/"
# Each poll is one or two GETs on the operator's API; ingest takes seconds (a queue batch, the engine's
# refresh), so two seconds sees the probe at most two late, in at most 150 polls of the default --timeout 300.
POLL_EVERY_S = 2.0

Get = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]  # (path, params) -> (status, JSON body)


class SmokeFailed(Exception):
    """A step did not do what it should (exit 1)."""


@dataclass
class SmokeRun:
    """What happened, step by step: (step, seconds, detail)."""

    key: str
    token: str
    steps: list[tuple[str, float, str]] = field(default_factory=list)

    def record(self, step: str, started: float, detail: str) -> None:
        self.steps.append((step, round(time.monotonic() - started, 2), detail))

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "token": self.token,
            "steps": [{"step": step, "seconds": seconds, "detail": detail} for step, seconds, detail in self.steps],
        }


def probe_token() -> str:
    return "zq" + "".join(secrets.choice(_LETTERS) for _ in range(10)) + "x"


def probe_article(token: str) -> bytes:
    """An article the ingest path keeps whole: a title, a date, three paragraphs of plain news prose."""
    body = (
        f"Tim operasional menjalankan uji asap {token} untuk memastikan unggahan artikel sampai ke indeks "
        "pencarian dalam hitungan detik setelah berkas masuk ke penyimpanan.\n\n"
        "Uji ini mengunggah satu artikel, menunggu sampai artikel itu muncul di hasil pencarian, membuka "
        "halaman dokumennya, lalu menghapusnya kembali dan memastikan artikel tersebut sudah hilang.\n\n"
        "Artikel ini dibuat otomatis oleh perintah docsearch smoke dan dihapus lagi di akhir pemeriksaan, "
        "sehingga tidak tersisa di arsip berita maupun di hasil pencarian pengguna."
    )
    article = {"title": f"Uji asap docsearch {token}", "published_at": time.strftime("%Y-%m-%d"), "body": body}
    return json.dumps(article, ensure_ascii=False).encode()


def run(s3: Any, bucket: str, get: Get, timeout_s: float, sleep: Callable[[float], None] = time.sleep) -> SmokeRun:
    token = probe_token()
    smoke = SmokeRun(key=f"{PROBE_PREFIX}{token}.json", token=token)
    started = time.monotonic()
    s3.put_object(Bucket=bucket, Key=smoke.key, Body=probe_article(token), ContentType="application/json")
    smoke.record("upload", started, f"s3://{bucket}/{smoke.key}")
    try:
        doc_id = _wait_searchable(smoke, get, timeout_s, sleep)
        _open_document(smoke, get, doc_id)
    except BaseException:  # a failed run leaves no probe behind either
        s3.delete_object(Bucket=bucket, Key=smoke.key)
        purge_versions(s3, bucket, smoke.key)
        raise
    started = time.monotonic()
    s3.delete_object(Bucket=bucket, Key=smoke.key)
    smoke.record("delete", started, "object deleted")
    _wait_gone(smoke, get, doc_id, timeout_s, sleep)
    started = time.monotonic()
    removed = purge_versions(s3, bucket, smoke.key)
    smoke.record("purge", started, f"{removed} object versions removed")
    return smoke


def _wait_searchable(smoke: SmokeRun, get: Get, timeout_s: float, sleep: Callable[[float], None]) -> str:
    started = time.monotonic()

    def found() -> str | None:
        status, body = get("/search", {"q": smoke.token, "size": 10})
        if status != 200:
            raise SmokeFailed(f"GET /search answered {status}: {_message(body)}")
        hit = next((r for r in body.get("results", []) if r.get("key") == smoke.key), None)
        if hit is None:
            return None
        smoke.record("searchable", started, f"found as {hit['id']} (total {body.get('total')})")
        return str(hit["id"])

    return _poll(found, timeout_s, sleep, f"the probe was not searchable within {timeout_s:.0f}s")


def _open_document(smoke: SmokeRun, get: Get, doc_id: str) -> None:
    started = time.monotonic()
    status, body = get(f"/documents/{doc_id}", {})
    if status != 200:
        raise SmokeFailed(f"GET /documents/{doc_id} answered {status}: {_message(body)}")
    if smoke.token not in body.get("body", "") or body.get("key") != smoke.key:
        raise SmokeFailed(f"GET /documents/{doc_id} answered another document: {body.get('key')!r}")
    smoke.record("document", started, f"/documents/{doc_id}: {body.get('title')!r}")


def _wait_gone(smoke: SmokeRun, get: Get, doc_id: str, timeout_s: float, sleep: Callable[[float], None]) -> None:
    started = time.monotonic()

    def gone() -> bool | None:
        status, _ = get(f"/documents/{doc_id}", {})
        if status not in (200, 404):
            raise SmokeFailed(f"GET /documents/{doc_id} answered {status} while waiting for the delete")
        if status == 200:
            return None
        search_status, body = get("/search", {"q": smoke.token, "size": 10})
        if search_status != 200 or any(r.get("key") == smoke.key for r in body.get("results", [])):
            return None
        smoke.record("gone", started, "document view 404, search finds nothing")
        return True

    _poll(gone, timeout_s, sleep, f"the probe was still searchable {timeout_s:.0f}s after its delete")


def _poll[T](check: Callable[[], T | None], timeout_s: float, sleep: Callable[[float], None], message: str) -> T:
    """``check()`` every POLL_EVERY_S until it answers, at most ``timeout_s`` (by the clock and by count)."""
    started = time.monotonic()
    attempts = max(1, int(timeout_s // POLL_EVERY_S))
    for attempt in range(attempts):
        answer = check()
        if answer is not None:
            return answer
        if attempt + 1 == attempts or time.monotonic() - started + POLL_EVERY_S > timeout_s:
            break
        sleep(POLL_EVERY_S)
    raise SmokeFailed(message)


def purge_versions(s3: Any, bucket: str, key: str) -> int:
    """Every version and delete marker of ``key`` (exactly that key): the versioned bucket keeps no probe."""
    listing = s3.list_object_versions(Bucket=bucket, Prefix=key)
    entries = [v for v in listing.get("Versions", []) + listing.get("DeleteMarkers", []) if v["Key"] == key]
    for entry in entries:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=entry["VersionId"])
    return len(entries)


def _message(body: dict[str, Any]) -> str:
    error = body.get("error")
    return str(error.get("message")) if isinstance(error, dict) else json.dumps(body)[:200]
