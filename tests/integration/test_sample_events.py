"""Every file in events/ (the samples for `sam local invoke`) fed to the handlers in-process, on the local stack."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from opensearchpy import OpenSearch

from docsearch.ingest.article import document_id
from docsearch_local.lambda_context import LocalContext
from docsearch_local.paths import StackConfig

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"


def _load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def _s3_records(event: dict[str, Any]) -> list[dict[str, Any]]:
    records = []
    for record in event["Records"]:
        records += json.loads(record["body"]).get("Records", [])
    return records


@pytest.fixture
def handlers(use_functions: Callable[..., Any], index_alias: str) -> Any:
    """The two handlers, on this test's alias."""
    from functions.ingest import app as ingest_app
    from functions.search import app as search_app

    use_functions(index_alias=index_alias)
    return ingest_app.lambda_handler, search_app.lambda_handler


@pytest.fixture
def uploaded(local_stack: StackConfig, s3: Any) -> Iterator[list[str]]:
    """The objects the sample SQS batch announces as created, put in the local bucket."""
    created = [r for r in _s3_records(_load("sqs-s3-batch.json")) if r["eventName"].startswith("ObjectCreated")]
    keys = [unquote_plus(r["s3"]["object"]["key"]) for r in created]
    for key in keys:
        body = f"Banjir Jakarta: Warga Mengungsi ({key})\nBanjir merendam permukiman di Jakarta, warga mengungsi."
        # the sample search filters by source: x-amz-meta-source names it, as a newsroom's uploader would
        s3.put_object(Bucket=local_stack.bucket, Key=key, Body=body.encode(), Metadata={"source": "kabarpagi.id"})
    yield keys
    for key in keys:
        s3.delete_object(Bucket=local_stack.bucket, Key=key)


def _run_sqs_batch(handler: Callable[..., Any], engine: OpenSearch, alias: str, keys: list[str]) -> None:
    event = _load("sqs-s3-batch.json")
    assert any("%" in r["s3"]["object"]["key"] and "+" in r["s3"]["object"]["key"] for r in _s3_records(event))
    response = handler(event, LocalContext("docsearch-ingest"))
    assert response == {"batchItemFailures": []}
    engine.indices.refresh(index=alias)
    for key in keys:  # the URL-encoded key arrives decoded, as the object's real key
        assert engine.get(index=alias, id=document_id("docsearch-articles", key))["_source"]["key"] == key
    assert "berita/2024/banjir jakarta (update) é.txt" in keys


def _run_http(handler: Callable[..., Any], name: str) -> dict[str, Any]:
    response = handler(_load(name), LocalContext("docsearch-search"))
    assert response["headers"]["Content-Type"].startswith("application/json")
    return {"status": response["statusCode"], "body": json.loads(response["body"])}


def test_every_sample_event_gets_the_expected_answer(
    handlers: Any, engine: OpenSearch, index_alias: str, uploaded: list[str]
) -> None:
    ingest, search = handlers
    expected = {"sqs-s3-batch.json", "http-search.json", "http-search-bad-size.json", "http-health.json"}
    expected.add("http-search-hybrid.json")
    assert {p.name for p in EVENTS.glob("*.json")} == expected, "a new sample event needs its check here"

    _run_sqs_batch(ingest, engine, index_alias, uploaded)

    found = _run_http(search, "http-search.json")
    assert found["status"] == 200
    assert found["body"]["query"] == "banjir jakarta" and found["body"]["size"] == 5
    assert found["body"]["total"] >= 1
    assert any("<mark>" in s for hit in found["body"]["results"] for s in hit["snippets"])

    hybrid = _run_http(search, "http-search-hybrid.json")
    assert hybrid["status"] == 200 and hybrid["body"]["mode"] == "hybrid"

    bad = _run_http(search, "http-search-bad-size.json")
    assert bad["status"] == 400 and bad["body"]["error"]["code"] == "invalid_parameter"
    assert "size" in bad["body"]["error"]["message"]

    health = _run_http(search, "http-health.json")
    assert health["status"] == 200 and health["body"]["engine"] in {"green", "yellow"}


def test_env_json_overrides_only_what_the_template_declares() -> None:
    """`sam local` ignores variables a function does not declare; env.json must name real functions and variables."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=Loader)
    declared = set(template["Globals"]["Function"]["Environment"]["Variables"])
    env = json.loads((ROOT / "env.json").read_text())
    for function, variables in env.items():
        assert template["Resources"][function]["Type"] == "AWS::Serverless::Function"
        function_vars = template["Resources"][function]["Properties"].get("Environment", {}).get("Variables", {})
        assert set(variables) <= declared | set(function_vars or {}), f"{function}: not declared in template.yaml"
        assert variables["OPENSEARCH_URL"].startswith("http://host.docker.internal:")
        assert variables["OPENSEARCH_AUTH"] == "none"
