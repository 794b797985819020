"""Writing a batch of index/delete actions to the engine in one ``_bulk`` request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.helpers import streaming_bulk

from docsearch.observability import logger

BULK_RETRIES_ON_429 = 3
MAX_CHUNK_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class ItemResult:
    op_type: str
    doc_id: str
    ok: bool
    error: str = ""


def write_bulk(client: OpenSearch, ops: list[dict[str, Any]]) -> list[ItemResult]:
    """Send ``ops`` in one request; return one result per op, in order.

    A delete of a document that is not there counts as done. A transport error
    (engine down, timeout) marks every op as failed rather than raising.
    """
    if not ops:
        return []
    results: Iterable[tuple[bool, dict[str, Any]]] = streaming_bulk(
        client,
        ops,
        chunk_size=len(ops),
        max_chunk_bytes=MAX_CHUNK_BYTES,
        raise_on_error=False,
        raise_on_exception=False,
        max_retries=BULK_RETRIES_ON_429,
        initial_backoff=1,
    )
    shaped = []
    for ok, item in results:
        op_type, result = next(iter(item.items()))
        if op_type == "delete" and result.get("status") == 404:
            ok = True
        error = "" if ok else f"{op_type}: {result.get('status')} {result.get('error')}"
        if error:
            logger.warning("bulk item failed", extra={"id": result.get("_id"), "status": result.get("status")})
        shaped.append(ItemResult(op_type, str(result.get("_id", "")), ok, error))
    return shaped
