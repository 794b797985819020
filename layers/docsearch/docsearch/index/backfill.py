"""Index everything already in a bucket (for buckets that existed before the stack).

The same path as the ingest Lambda: each listed object becomes an upsert change with no
sequencer and goes through ``ingest.apply_changes`` (fetch, extract, unchanged check,
one ``_bulk`` per batch). Without a sequencer a backfilled write keeps the order mark
already stored, so running a backfill beside live events cannot undo a newer event.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.ingest.batch import MessageOutcome, apply_changes
from docsearch.ingest.events import ObjectChange
from docsearch.ingest.objects import fetch_object
from docsearch.observability import metrics
from docsearch.settings import DEFAULT_MAX_OBJECT_BYTES

BATCH_SIZE = 50  # objects per _bulk request
RETRY_PAUSE_S = 2.0  # one more try for keys that failed transiently, after this pause
MAX_FAILURES_LISTED = 20


@dataclass
class BackfillSummary:
    listed: int = 0
    indexed: int = 0
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count
    failed: int = 0
    failures: list[str] = field(default_factory=list)  # "key: error", the first few

    @property
    def done(self) -> int:
        return self.indexed + self.unchanged + sum(self.skipped.values()) + self.failed


def list_keys(s3_client: Any, bucket: str, prefix: str) -> list[tuple[str, int]]:
    """Every object under ``prefix`` as (key, size); "folder" markers (keys ending in /) left out."""
    keys = []
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if not obj["Key"].endswith("/"):
                keys.append((obj["Key"], int(obj.get("Size", 0))))
    return keys


def backfill(
    s3_client: Any,
    bucket: str,
    prefix: str,
    client: OpenSearch,
    index: str,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    max_object_bytes: int = DEFAULT_MAX_OBJECT_BYTES,
) -> BackfillSummary:
    """Index every object under ``prefix``; ``on_progress(done, total)`` after each batch."""
    ensure_index(client, index)
    keys = [key for key, _ in list_keys(s3_client, bucket, prefix)]
    summary = BackfillSummary(listed=len(keys))
    skipped: Counter[str] = Counter()
    if on_progress:
        on_progress(0, len(keys))

    def fetch(b: str, k: str) -> Any:
        return fetch_object(b, k, max_object_bytes, s3=s3_client)

    for start in range(0, len(keys), batch_size):
        batch = keys[start : start + batch_size]
        outcomes = _run(batch, bucket, client, index, fetch)
        retry = [key for key in batch if outcomes[key].status == "retry"]
        if retry:
            time.sleep(RETRY_PAUSE_S)
            outcomes.update(_run(retry, bucket, client, index, fetch))
        for key in batch:
            outcome = outcomes[key]
            if outcome.status == "retry":
                summary.failed += 1
                if len(summary.failures) < MAX_FAILURES_LISTED:
                    summary.failures.append(f"{key}: {'; '.join(outcome.errors)}")
                continue
            summary.indexed += outcome.indexed
            summary.unchanged += outcome.unchanged
            skipped.update(outcome.skipped)
        # The next batch looks up earlier copies of its stories (ingest/fingerprint.py): make this one visible,
        # also in an index being filled with its refresh turned off.
        client.indices.refresh(index=index)
        metrics.clear_metrics()  # outside Lambda nobody ships them; keep them from piling up on stdout
        if on_progress:
            on_progress(min(start + batch_size, len(keys)), len(keys))
    summary.skipped = dict(sorted(skipped.items()))
    return summary


def _run(keys: list[str], bucket: str, client: OpenSearch, index: str, fetch: Any) -> dict[str, MessageOutcome]:
    outcomes = {key: MessageOutcome(key) for key in keys}
    apply_changes([(key, ObjectChange("upsert", bucket, key)) for key in keys], outcomes, client, index, fetch)
    return outcomes
