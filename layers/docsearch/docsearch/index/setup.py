"""The index as a deploy prepares it: the versioned index behind the alias, and every call ingest makes.

A deploy runs this with the ingest function's own credentials (template.yaml, IndexSetup), so an access
policy that would refuse ingest fails the deploy, not the first upload. Idempotent: an existing alias is
kept as it is (a definition change is rebuilt by ``docsearch reindex``, with zero downtime).
"""

from __future__ import annotations

from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_write_targets

# A document id no upload can have (theirs are 32 hex digits: docsearch.ingest.article.document_id).
PROBE_ID = "docsearch-deploy-probe"


def prepare_index(client: OpenSearch, alias: str, replicas: int | None = None) -> str:
    """Create the index behind ``alias`` unless it exists, then make each kind of call an ingest batch makes.

    The alias lookup, the create and ``POST _aliases`` are ensure_write_targets' own; the read
    (``_mget``), the search for earlier copies (``_msearch``) and the write (``_bulk``, a delete of
    PROBE_ID, which no document has) change nothing. Any refused call raises the engine's error.
    Returns the versioned index behind the alias.
    """
    index, _ = ensure_write_targets(client, alias, replicas)
    client.mget(index=alias, body={"ids": [PROBE_ID]})
    client.msearch(index=alias, body=[{}, {"size": 0, "query": {"ids": {"values": [PROBE_ID]}}}])
    answer = client.bulk(body=[{"delete": {"_index": alias, "_id": PROBE_ID}}], params={"require_alias": "true"})
    failed = [item["delete"] for item in answer["items"] if item["delete"].get("status", 200) not in (200, 404)]
    if failed:
        raise RuntimeError(f"the engine refused a write through {alias}: {failed[0].get('error')}")
    return index
