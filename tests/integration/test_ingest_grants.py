"""On a managed domain the ingest role is granted paths, not operations (template.yaml, IngestBulkWrite and
its neighbours): every request an ingest batch sends must fall under one of them, during a reindex too."""

from __future__ import annotations

import uuid
from fnmatch import fnmatchcase
from typing import Any

from opensearchpy import OpenSearch

from docsearch.aliases import building_alias
from docsearch.index.reindex import create_versioned_index
from docsearch.ingest.article import document_id
from docsearch_local.events import s3_notification, to_sqs_event
from docsearch_local.lambda_context import LocalContext
from docsearch_local.paths import StackConfig
from tests.infrastructure.test_engines import INGEST_CALLS
from tests.integration.test_serverless_calls import recording

METHODS = {"es:ESHttpGet": "GET", "es:ESHttpPost": "POST", "es:ESHttpPut": "PUT"}
STORY = (
    b"Banjir Melanda Jakarta\n"
    b"Ribuan warga di bantaran sungai mengungsi setelah hujan deras mengguyur kota sejak malam.\n"
    b"Petugas gabungan mengevakuasi warga lanjut usia dan anak-anak dengan perahu karet sejak pagi.\n"
)


def test_every_request_of_an_ingest_batch_is_one_the_ingest_role_is_granted(
    use_functions: Any, engine: OpenSearch, index_alias: str, s3: Any, local_stack: StackConfig
) -> None:
    from functions.ingest import app

    use_functions(index_alias=index_alias)
    calls = recording(app.get_client())
    bucket, prefix = local_stack.bucket, f"grants-{uuid.uuid4().hex[:8]}"

    def batch(*names: str) -> None:
        for name in names:
            s3.put_object(Bucket=bucket, Key=f"{prefix}/{name}", Body=STORY + name.encode())
        messages = [
            {"MessageId": name, "ReceiptHandle": name, "Body": s3_notification(bucket, f"{prefix}/{name}")}
            for name in names
        ]
        event = to_sqs_event(messages, "arn:aws:sqs:ap-southeast-3:0:q", "ap-southeast-3")
        assert app.lambda_handler(event, LocalContext("ingest"))["batchItemFailures"] == []

    batch("a.txt", "b.txt")  # creates the index behind the alias
    engine.indices.refresh(index=index_alias)
    building = create_versioned_index(engine, index_alias, 99, refresh_off=False)
    engine.indices.update_aliases(
        body={"actions": [{"add": {"index": building, "alias": building_alias(index_alias)}}]}
    )
    batch("a.txt", "c.txt")  # a reindex is filling a new index: both are read and written

    granted = [(METHODS[action], "/" + path.replace("${IndexAlias}", index_alias)) for action, path in INGEST_CALLS]
    refused = [(m, p) for m, p in calls if not any(m == g and fnmatchcase(p, pattern) for g, pattern in granted)]
    assert not refused, refused
    assert {p for _, p in calls} >= {f"/{index_alias}/_mget", f"/{index_alias}/_msearch", "/_bulk"}
    assert engine.get(index=building, id=document_id(bucket, f"{prefix}/c.txt"))["found"]
