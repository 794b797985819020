"""Make the index equal the bucket: index every object in it, and (``prune``) retire what is gone.

The same path as the ingest Lambda: each listed object becomes an upsert change with no
sequencer and goes through ``ingest.apply_changes`` (fetch, extract, unchanged check,
one ``_bulk`` per batch). A write without a sequencer is conditional on the key not having
been written since its state was read, so running a backfill beside live events cannot undo
a newer upload or delete: such a key is tried again from a fresh read of the index and the object.

``prune`` tombstones the index's live documents under the prefix whose keys are not in the
bucket. The index is listed *before* the bucket and each tombstone is conditional on the
document being the one listed: a key uploaded meanwhile is either in the bucket listing or
was rewritten since, and is never pruned.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch

from docsearch.document import TOMBSTONE, tombstone
from docsearch.engine import is_serverless
from docsearch.index.definition import ensure_index
from docsearch.ingest.batch import apply_changes
from docsearch.ingest.bulk import CONFLICT, write_bulk
from docsearch.ingest.embedding import embedder_for
from docsearch.ingest.events import ObjectChange
from docsearch.ingest.extract import ReadOptions
from docsearch.ingest.objects import fetch_object
from docsearch.ingest.outcome import MessageOutcome
from docsearch.settings import CONFIG_PREFIX, DEFAULT_MAX_OBJECT_BYTES

BATCH_SIZE = 50  # objects per _bulk request
RETRY_PAUSE_S = 1.0  # keys that failed transiently (or lost a race with a live write) are tried again
RETRY_PASSES = 3
MAX_FAILURES_LISTED = 20
PAGE = 1000  # documents per page when listing the index for prune
# Fill one index from the bucket: (client, index, on_progress) -> documents written (see reindex).
Filler = Callable[[OpenSearch, str, Callable[[int, int], None] | None], int]


@dataclass
class BackfillSummary:
    listed: int = 0
    indexed: int = 0
    unchanged: int = 0
    stale: int = 0  # the stored document came from a newer event: nothing to write
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count
    failed: int = 0
    failures: list[str] = field(default_factory=list)  # "key: error", the first few
    pruned: int = 0  # live documents whose keys were gone from the bucket, now tombstoned

    @property
    def done(self) -> int:
        return self.indexed + self.unchanged + self.stale + sum(self.skipped.values()) + self.failed


def list_keys(s3_client: Any, bucket: str, prefix: str) -> list[tuple[str, int]]:
    """Every object under ``prefix`` as (key, size); "folder" markers (keys ending in /) and the service's own
    settings (``_config/``, e.g. the alias list) left out."""
    keys = []
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if not obj["Key"].endswith("/") and not obj["Key"].startswith(CONFIG_PREFIX):
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
    prune: bool = False,
    serverless: bool | None = None,
    options: ReadOptions | None = None,
) -> BackfillSummary:
    """Index every object under ``prefix`` into ``index`` (an alias, created if missing, or an index).

    ``on_progress(done, total)`` after each batch; ``prune``: see the module doc; ``options``: what extraction
    needs from the settings (the outlet folders), as the ingest function has them.
    """
    if not client.indices.exists(index=index):
        ensure_index(client, index)
    indexed_before = _live_documents(client, index, bucket, prefix) if prune else {}
    keys = [key for key, _ in list_keys(s3_client, bucket, prefix)]
    summary = BackfillSummary(listed=len(keys))
    skipped: Counter[str] = Counter()
    if on_progress:
        on_progress(0, len(keys))

    def fetch(b: str, k: str) -> Any:
        return fetch_object(b, k, max_object_bytes, s3=s3_client)

    for start in range(0, len(keys), batch_size):
        batch = keys[start : start + batch_size]
        outcomes = _run(batch, bucket, client, index, fetch, options)
        for _ in range(RETRY_PASSES):
            retry = [key for key in batch if outcomes[key].status == "retry"]
            if not retry:
                break
            time.sleep(RETRY_PAUSE_S)
            outcomes.update(_run(retry, bucket, client, index, fetch, options))
        for key in batch:
            outcome = outcomes[key]
            if outcome.status == "retry":
                summary.failed += 1
                if len(summary.failures) < MAX_FAILURES_LISTED:
                    summary.failures.append(f"{key}: {'; '.join(outcome.errors)}")
                continue
            summary.indexed += outcome.indexed
            summary.unchanged += outcome.unchanged
            summary.stale += outcome.stale
            skipped.update(outcome.skipped)
        # The next batch looks up earlier copies of its stories (ingest/fingerprint.py): make this one visible,
        # also in an index being filled with its refresh turned off. Serverless has no _refresh (it makes
        # writes visible itself within seconds): there, copies split across batches meet by their pair hash.
        if not (is_serverless(client) if serverless is None else serverless):
            client.indices.refresh(index=index)
        if on_progress:
            on_progress(min(start + batch_size, len(keys)), len(keys))
    summary.skipped = dict(sorted(skipped.items()))
    if prune:
        in_bucket = set(keys)
        gone = {key: where for key, where in indexed_before.items() if key not in in_bucket}
        summary.pruned = _prune(client, index, bucket, gone)
    return summary


def bucket_filler(
    s3_client: Any,
    bucket: str,
    prefix: str = "",
    max_object_bytes: int = DEFAULT_MAX_OBJECT_BYTES,
    serverless: bool | None = None,
    options: ReadOptions | None = None,
) -> Filler:
    """A reindex filler that backfills the new index from the bucket (``docsearch reindex --from-bucket``)."""

    def fill(client: OpenSearch, index: str, on_progress: Callable[[int, int], None] | None) -> int:
        summary = backfill(
            s3_client,
            bucket,
            prefix,
            client,
            index,
            on_progress,
            max_object_bytes=max_object_bytes,
            serverless=serverless,
            options=options,
        )
        if summary.failed:
            raise RuntimeError(f"{summary.failed} objects could not be read or written: {summary.failures[:3]}")
        return summary.indexed

    return fill


def _live_documents(client: OpenSearch, index: str, bucket: str, prefix: str) -> dict[str, tuple[str, int, int, str]]:
    """key -> (id, seq_no, primary_term, sequencer) of every live document of ``bucket`` under ``prefix``.

    Paged with ``search_after`` on the key (no scroll: OpenSearch Serverless has none).
    """
    query: dict[str, Any] = {
        "bool": {
            "filter": [{"term": {"bucket": bucket}}, {"prefix": {"key": prefix}}],
            "must_not": [TOMBSTONE],
        }
    }
    body: dict[str, Any] = {
        "size": PAGE,
        "query": query,
        "_source": ["sequencer"],
        "docvalue_fields": ["key"],
        "seq_no_primary_term": True,
        "sort": [{"key": "asc"}],
    }
    found: dict[str, tuple[str, int, int, str]] = {}
    while True:
        hits = client.search(index=index, body=body)["hits"]["hits"]
        for hit in hits:
            sequencer = str((hit.get("_source") or {}).get("sequencer") or "")
            found[hit["fields"]["key"][0]] = (hit["_id"], int(hit["_seq_no"]), int(hit["_primary_term"]), sequencer)
        if len(hits) < PAGE:
            return found
        body["search_after"] = hits[-1]["sort"]


def _prune(client: OpenSearch, index: str, bucket: str, gone: dict[str, tuple[str, int, int, str]]) -> int:
    """Tombstone each listed document unless it was rewritten since it was listed (then it is newer).

    The tombstone keeps the order mark it replaces, so a late older event still finds itself stale."""
    now = datetime.now(UTC)
    ops = []
    for key, (doc_id, seq_no, primary_term, sequencer) in gone.items():
        doc = tombstone(bucket, key, sequencer, now=now)
        ops.append(
            {"_index": index, "_id": doc_id, "_source": doc, "if_seq_no": seq_no, "if_primary_term": primary_term}
        )
    results = write_bulk(client, ops)
    failed = [r.error for r in results if not r.ok and r.status not in (CONFLICT, 404)]
    if failed:
        raise RuntimeError(f"prune: {len(failed)} tombstones not written: {failed[:3]}")
    pruned = sum(r.ok for r in results)
    return pruned


def _run(
    keys: list[str], bucket: str, client: OpenSearch, index: str, fetch: Any, options: ReadOptions | None
) -> dict[str, MessageOutcome]:
    outcomes = {key: MessageOutcome(key) for key in keys}
    changes = [(key, ObjectChange("upsert", bucket, key)) for key in keys]
    # EMBEDDING_MODEL's vectors too, so a reindex from the bucket gives every article its vector
    apply_changes(changes, outcomes, client, index, fetch, options=options, embedder=embedder_for(client))
    return outcomes
