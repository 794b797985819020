"""Serverless without a server: how the code knows it talks to a collection, the index settings it
sends there, and the clear error for a call Serverless does not have (the calls themselves run
against the real engine in tests/integration/test_serverless_calls.py)."""

from __future__ import annotations

import pytest
from opensearchpy import OpenSearch

from docsearch.engine import build_client, is_serverless, refuse_on_serverless
from docsearch.errors import NotOnServerless
from docsearch.index.definition import SERVERLESS_OWNED_SETTINGS, index_definition, index_settings
from docsearch.settings import Settings
from docsearch_cli import main as cli


def _client(auth: str, service: str = "es") -> OpenSearch:
    return build_client(
        Settings.from_env(
            {"OPENSEARCH_URL": "https://search.example.com", "OPENSEARCH_AUTH": auth, "OPENSEARCH_SERVICE": service}
        )
    )


@pytest.fixture(autouse=True)
def role_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "role-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "role-secret")


def test_a_client_signing_for_aoss_is_the_serverless_one() -> None:
    assert is_serverless(_client("sigv4", "aoss"))
    assert not is_serverless(_client("sigv4", "es"))
    assert not is_serverless(_client("none"))


def test_a_call_serverless_lacks_is_refused_with_what_to_do_instead() -> None:
    with pytest.raises(NotOnServerless) as caught:
        refuse_on_serverless(_client("sigv4", "aoss"), "_reindex", "rebuild from the bucket: reindex --from-bucket")
    assert str(caught.value) == (
        "_reindex is not available on OpenSearch Serverless: rebuild from the bucket: reindex --from-bucket"
    )
    assert caught.value.operation == "_reindex"
    refuse_on_serverless(_client("sigv4", "es"), "_reindex")  # a domain has it: no error


def test_the_cli_prints_that_error_as_one_clear_line() -> None:
    message = cli._describe(NotOnServerless("index stats", "the size is not reported there"))
    assert message == "index stats is not available on OpenSearch Serverless: the size is not reported there"


def test_serverless_indices_leave_shards_and_copies_to_aws() -> None:
    settings = index_settings(serverless=True, replicas=2)
    assert not set(settings["index"]) & set(SERVERLESS_OWNED_SETTINGS)
    assert settings["analysis"] == index_definition()["settings"]["analysis"]  # the analyzers go everywhere


def test_domain_indices_take_the_replicas_asked_for() -> None:
    assert index_settings(serverless=False, replicas=2)["index"]["number_of_replicas"] == 2
    unset = index_settings(serverless=False)["index"]
    assert unset["number_of_replicas"] == index_definition()["settings"]["index"]["number_of_replicas"]
    assert unset["number_of_shards"] == 1


def test_replicas_come_from_the_environment_and_may_not_be_negative() -> None:
    assert Settings.from_env({"OPENSEARCH_URL": "http://x:9200", "INDEX_REPLICAS": "2"}).index_replicas == 2
    assert Settings.from_env({"OPENSEARCH_URL": "http://x:9200"}).index_replicas is None
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        Settings.from_env({"OPENSEARCH_URL": "http://x:9200", "INDEX_REPLICAS": "-1"})


def test_ingest_makes_no_vector_for_a_serverless_index(monkeypatch: pytest.MonkeyPatch) -> None:
    # The collection's index has no vector field and a strict mapping: a vector would get the document refused.
    from docsearch.ingest import embedding

    model = object()
    monkeypatch.setattr(embedding, "embedder_from_env", lambda: model)
    assert embedding.embedder_for(_client("sigv4", "aoss")) is None
    assert embedding.embedder_for(_client("sigv4", "es")) is model
