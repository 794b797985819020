"""Upload through the S3 API of the local stack, find it over HTTP, delete it, see it gone."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from docsearch_local.paths import StackConfig
from tests.support import eventually

pytestmark = pytest.mark.e2e
DEADLINE_S = 30


def test_upload_search_delete(local_stack: StackConfig, s3: Any, search_api: Callable[..., requests.Response]) -> None:
    word = f"zq{uuid.uuid4().hex[:8]}"  # a token no other document has
    key = f"e2e/{word} berita+uji é.txt"
    body = f"Kapal Selam {word} Diluncurkan\nTNI AL meluncurkan kapal selam baru {word} di Surabaya <b>hari ini</b>."
    s3.put_object(Bucket=local_stack.bucket, Key=key, Body=body.encode())

    def found() -> bool:
        answer = search_api(q=word, mode="lexical")
        return answer.status_code == 200 and answer.json()["total"] == 1

    eventually(found, "uploaded article searchable")
    answer = search_api(q=word, mode="lexical").json()
    [hit] = answer["results"]
    assert hit["key"] == key
    assert hit["title"] == f"Kapal Selam {word} Diluncurkan"
    assert any(f"<mark>{word}</mark>" in snippet for snippet in hit["snippets"])
    assert all("<b>" not in snippet for snippet in hit["snippets"])

    s3.delete_object(Bucket=local_stack.bucket, Key=key)

    def gone() -> bool:
        answer = search_api(q=word, mode="lexical")
        return answer.status_code == 200 and answer.json()["total"] == 0

    eventually(gone, "deleted article gone")


def test_contract_errors_and_health(local_stack: StackConfig, search_api: Callable[..., requests.Response]) -> None:
    missing = search_api()
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "invalid_parameter"
    assert search_api(q="   ").status_code == 400
    assert search_api(q="banjir", size=51).status_code == 400
    health = requests.get(f"{local_stack.api_url}/health", timeout=10)
    assert health.status_code == 200 and health.json()["engine"] in {"green", "yellow"}
    assert requests.get(f"{local_stack.api_url}/nope", timeout=10).status_code == 404
