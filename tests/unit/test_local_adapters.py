"""The local stack's translations into the exact event shapes Lambda receives."""

import base64

from docsearch_local.gateway import to_http_api_event
from docsearch_local.worker import successful_receipts, to_sqs_event

MESSAGES = [
    {"MessageId": "m1", "ReceiptHandle": "r1", "Body": "{}", "Attributes": {"ApproximateReceiveCount": "1"}},
    {"MessageId": "m2", "ReceiptHandle": "r2", "Body": "{}", "MD5OfBody": "abc"},
]


def test_sqs_event_has_lambda_record_shape() -> None:
    event = to_sqs_event(MESSAGES, "arn:aws:sqs:ap-southeast-3:000000000000:q", "ap-southeast-3")
    first = event["Records"][0]
    assert first["messageId"] == "m1" and first["receiptHandle"] == "r1"
    assert first["eventSource"] == "aws:sqs" and first["awsRegion"] == "ap-southeast-3"
    assert first["attributes"] == {"ApproximateReceiveCount": "1"}
    assert len(first["md5OfBody"]) == 32
    assert event["Records"][1]["md5OfBody"] == "abc"


def test_only_messages_not_reported_as_failed_are_deleted() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert successful_receipts(MESSAGES, response) == [{"Id": "0", "ReceiptHandle": "r1"}]
    assert len(successful_receipts(MESSAGES, {"batchItemFailures": []})) == 2


def test_http_api_event_folds_repeated_parameters_like_api_gateway() -> None:
    event = to_http_api_event(
        "GET", "/search?q=pakta+pertahanan&source=a.id&source=b.id", {"Host": "x", "User-Agent": "t"}, b"", "127.0.0.1"
    )
    assert event["version"] == "2.0" and event["rawPath"] == "/search"
    assert event["queryStringParameters"] == {"q": "pakta pertahanan", "source": "a.id,b.id"}
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["headers"]["user-agent"] == "t"
    assert "body" not in event


def test_http_api_event_carries_body_base64() -> None:
    event = to_http_api_event("POST", "/search", {}, b"{}", "127.0.0.1")
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"{}"
    assert "queryStringParameters" not in event
