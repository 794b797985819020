"""Every engine call the functions make, on their Serverless path, checked against AWS's list of the
operations OpenSearch Serverless supports (docs/deploy.md, "Engine calls").

The engine is the real local OpenSearch. The client is built as the functions build it on a
collection (SigV4 for ``aoss``, with made-up credentials the local engine ignores), so the code
takes its Serverless branches; each request it sends is recorded and must match AWS's list.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from opensearchpy import OpenSearch

from docsearch.engine import build_client, is_serverless
from docsearch.errors import EngineUnavailable
from docsearch.index.definition import ensure_index, versioned_name
from docsearch.ingest.article import document_id
from docsearch.ingest.batch import ingest_messages
from docsearch.ingest.objects import fetch_object
from docsearch.search.client import SearchClient
from docsearch.search.documents import get_document
from docsearch.search.models import SearchRequest
from docsearch.search.run import engine_status, search
from docsearch.settings import Settings
from docsearch_local.paths import StackConfig

pytestmark = pytest.mark.integration

INDEX = r"/[a-z0-9][a-z0-9_.-]*"  # an index or alias name (never one of the _api paths)
# AWS, "Supported operations and plugins in Amazon OpenSearch Serverless": (methods, path) by permission.
SERVERLESS_SUPPORTED: list[tuple[str, str]] = [
    ("PUT", INDEX),  # aoss:CreateIndex: PUT <index>
    ("GET|HEAD", INDEX + r"(/_mappings?|/_settings?)?"),  # aoss:DescribeIndex
    ("GET", r"/_alias(/[^/]+)?|/_aliases" + "|" + INDEX + r"/_alias(/[^/]+)?"),  # aoss:DescribeCollectionItems
    ("POST", r"/_aliases"),  # aoss:CreateCollectionItems / UpdateCollectionItems
    ("POST|PUT", r"/_bulk|" + INDEX + r"/_bulk"),  # aoss:WriteDocument
    ("GET|POST", INDEX + r"/_(search|count|mget|msearch)|/_(search|mget|msearch)"),  # aoss:ReadDocument
    ("GET", INDEX + r"/_(doc|source)/[^/]+"),  # aoss:ReadDocument
    ("DELETE", INDEX),  # aoss:DeleteIndex
]


def supported_on_serverless(method: str, path: str) -> bool:
    return any(re.fullmatch(m, method) and re.fullmatch(p, path) for m, p in SERVERLESS_SUPPORTED)


def recording(client: OpenSearch) -> list[tuple[str, str]]:
    """The (method, path) of every request ``client`` sends from now on (they still go to the engine)."""
    calls: list[tuple[str, str]] = []
    send: Callable[..., Any] = client.transport.perform_request

    def perform_request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        calls.append((method, url.split("?", 1)[0]))
        return send(method, url, *args, **kwargs)

    client.transport.perform_request = perform_request  # type: ignore[method-assign]
    return calls


def recording_reads(reader: SearchClient) -> list[tuple[str, str]]:
    """The same for the search function's client: every (method, path) its reads send from now on."""
    calls: list[tuple[str, str]] = []
    send = reader.request

    def request(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        calls.append((method, path))
        return send(method, path, *args, **kwargs)

    reader.request = request  # type: ignore[method-assign]
    return calls


@pytest.fixture
def collection_settings(local_stack: StackConfig, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "made-up-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "made-up-secret")
    return Settings.from_env(
        {"OPENSEARCH_URL": local_stack.opensearch_url, "OPENSEARCH_AUTH": "sigv4", "OPENSEARCH_SERVICE": "aoss"}
    )


@pytest.fixture
def collection_client(collection_settings: Settings) -> OpenSearch:
    client = build_client(collection_settings)
    assert is_serverless(client)
    return client


@pytest.fixture
def collection_reader(collection_settings: Settings) -> SearchClient:
    """The search function's client on a collection: its reads signed for ``aoss``."""
    reader = SearchClient.from_settings(collection_settings)
    assert reader.serverless
    return reader


def test_ingest_search_documents_and_health_use_only_serverless_operations(
    collection_client: OpenSearch,
    collection_reader: SearchClient,
    engine: OpenSearch,
    index_alias: str,
    local_stack: StackConfig,
) -> None:
    s3 = boto3.client("s3", endpoint_url=local_stack.aws_url, region_name=local_stack.region)
    key = f"sls-{uuid.uuid4().hex[:8]}/gempa.txt"
    s3.put_object(Bucket=local_stack.bucket, Key=key, Body=b"Gempa Cianjur\nGempa mengguncang Cianjur pagi ini.")
    record = {
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": local_stack.bucket}, "object": {"key": quote_plus(key)}},
    }
    calls = recording(collection_client)
    reads = recording_reads(collection_reader)

    assert ensure_index(collection_client, index_alias, replicas=2) == versioned_name(index_alias)
    outcomes = ingest_messages(
        [("m1", json.dumps({"Records": [record]}))],
        collection_client,
        index_alias,
        lambda bucket, name: fetch_object(bucket, name, 1024 * 1024),
    )
    assert outcomes["m1"].status == "done"
    engine.indices.refresh(index=index_alias)  # the test's own client: Serverless refreshes by itself
    found = search(collection_reader, index_alias, SearchRequest(q="gempa cianjur"))
    assert [hit.id for hit in found.results] == [document_id(local_stack.bucket, key)]
    assert get_document(collection_reader, index_alias, found.results[0].id).title == "Gempa Cianjur"
    assert engine_status(collection_reader, index_alias) == "green"
    assert ensure_index(collection_client, index_alias) == versioned_name(index_alias)  # warm: one lookup

    assert {path.rsplit("/", 1)[-1] for _, path in reads} >= {"_search", "_count"}
    unsupported = [call for call in calls + reads if not supported_on_serverless(*call)]
    assert not unsupported, f"calls OpenSearch Serverless does not have: {unsupported}"
    assert ("GET", "/_cluster/health") not in calls + reads
    # The index took no shard or replica settings (Serverless owns them): the engine's default, not 2.
    settings = engine.indices.get_settings(index=versioned_name(index_alias))[versioned_name(index_alias)]
    assert settings["settings"]["index"]["number_of_replicas"] != "2"


def test_health_on_serverless_answers_before_anything_is_indexed(collection_reader: SearchClient) -> None:
    calls = recording_reads(collection_reader)
    assert engine_status(collection_reader, f"none-{uuid.uuid4().hex[:8]}") == "green"
    assert len(calls) == 1 and calls[0][1].endswith("/_count") and supported_on_serverless(*calls[0])


def test_health_on_serverless_reports_a_refused_read_as_unavailable_with_why(
    collection_reader: SearchClient,
) -> None:
    with pytest.raises(EngineUnavailable, match=r"the collection refused a count on _bad: 400"):
        engine_status(collection_reader, "_bad")  # an index name the engine rejects (as it would a 403)


def test_a_domain_reports_its_cluster_health(local_stack: StackConfig) -> None:
    domain = local_stack.search_client()  # not the shared fixture: it is recorded
    calls = recording_reads(domain)
    assert engine_status(domain, "articles") in ("green", "yellow")
    assert calls == [("GET", "/_cluster/health")]


def test_cli_stats_on_serverless_leaves_out_the_size_it_cannot_ask_for(
    collection_client: OpenSearch,
    index_alias: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from docsearch_cli import main as cli
    from docsearch_cli.target import Target

    ensure_index(collection_client, index_alias)
    calls = recording(collection_client)
    monkeypatch.setattr(Target, "opensearch", lambda self: collection_client)  # the client a --stack target builds
    assert cli.main(["stats", "--json", "--index", index_alias]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["indices"] == [versioned_name(index_alias)]
    assert stats["index_bytes"] is None  # no _stats on Serverless: not asked, shown as n/a
    assert all(supported_on_serverless(*call) for call in calls), calls
