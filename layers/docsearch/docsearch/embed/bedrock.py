"""Bedrock embeddings (``EMBEDDING_MODEL=bedrock`` on AWS): Titan Text Embeddings V2 or Cohere Embed Multilingual.

One ``InvokeModel`` per Titan text (its API takes one), one per batch of at most ``COHERE_MAX_TEXTS`` for
Cohere. ``EMBEDDING_BEDROCK_MODEL`` names the model (Titan V2 unless set), ``EMBEDDING_DIMENSIONS`` the
size Titan returns (256, 512 or 1024; Cohere's is fixed at 1024). The function's role may invoke that one
model and nothing else (template.yaml). Errors from Bedrock propagate: ingest stores the document without
its vector, search answers lexically (the callers decide).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from docsearch.embed import clip

TITAN_V2 = "amazon.titan-embed-text-v2:0"
COHERE_MULTILINGUAL = "cohere.embed-multilingual-v3"
TITAN_DIMENSIONS = (256, 512, 1024)
DEFAULT_TITAN_DIMENSIONS = 512  # Titan's middle size: AWS reports 99% of 1024's retrieval accuracy at half the storage
COHERE_DIMENSIONS = 1024
COHERE_MAX_TEXTS = 96  # Cohere's limit on texts per request


def model_id_from_env() -> str:
    model = os.environ.get("EMBEDDING_BEDROCK_MODEL", TITAN_V2).strip() or TITAN_V2
    if not (model.startswith("amazon.titan-embed-text-v2") or model.startswith("cohere.embed-multilingual")):
        raise ValueError(
            f"invalid settings: EMBEDDING_BEDROCK_MODEL must name Titan Text V2 or Cohere Multilingual: {model!r}"
        )
    return model


def dimensions_from_env() -> int:
    if model_id_from_env().startswith("cohere."):
        return COHERE_DIMENSIONS
    value = int(os.environ.get("EMBEDDING_DIMENSIONS", DEFAULT_TITAN_DIMENSIONS))
    if value not in TITAN_DIMENSIONS:
        raise ValueError(f"invalid settings: EMBEDDING_DIMENSIONS must be one of {TITAN_DIMENSIONS} for Titan: {value}")
    return value


class BedrockEmbedder:
    """``client``: a ``bedrock-runtime`` client (botocore's; a Stubber in tests)."""

    def __init__(self, client: Any, model_id: str = TITAN_V2, dimensions: int = DEFAULT_TITAN_DIMENSIONS) -> None:
        self._client = client
        self._model_id = model_id
        self._cohere = model_id.startswith("cohere.")
        self._dimensions = COHERE_DIMENSIONS if self._cohere else dimensions

    @classmethod
    def from_env(cls) -> BedrockEmbedder:
        import boto3  # the Lambda runtime's

        region = os.environ.get("AWS_REGION") or None
        return cls(boto3.client("bedrock-runtime", region_name=region), model_id_from_env(), dimensions_from_env())

    @property
    def name(self) -> str:
        return self._model_id

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        if self._cohere:
            vectors: list[list[float]] = []
            for start in range(0, len(texts), COHERE_MAX_TEXTS):
                vectors.extend(self._cohere_embed(texts[start : start + COHERE_MAX_TEXTS], "search_document"))
            return vectors
        return [self._titan_embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._cohere_embed([text], "search_query")[0] if self._cohere else self._titan_embed(text)

    def _invoke(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = self._client.invoke_model(
            modelId=self._model_id, body=json.dumps(body), contentType="application/json", accept="application/json"
        )
        parsed: dict[str, Any] = json.loads(answer["body"].read())
        return parsed

    def _titan_embed(self, text: str) -> list[float]:
        # Titan V2 has no query/passage distinction; it normalises when asked, so cosine is a dot product.
        answer = self._invoke({"inputText": clip(text), "dimensions": self._dimensions, "normalize": True})
        return _checked([float(x) for x in answer["embedding"]], self._dimensions)

    def _cohere_embed(self, texts: Sequence[str], input_type: str) -> list[list[float]]:
        body = {"texts": [clip(text) for text in texts], "input_type": input_type, "truncate": "END"}
        embeddings = self._invoke(body)["embeddings"]
        if len(embeddings) != len(texts):
            raise ValueError(f"Bedrock returned {len(embeddings)} embeddings for {len(texts)} texts")
        return [_checked([float(x) for x in vector], self._dimensions) for vector in embeddings]


def _checked(vector: list[float], dimensions: int) -> list[float]:
    if len(vector) != dimensions:
        raise ValueError(f"Bedrock returned a vector of {len(vector)} dimensions, expected {dimensions}")
    return vector
