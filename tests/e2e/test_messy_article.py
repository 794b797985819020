"""A messy scraped article through the whole local stack: its boilerplate is not searchable, its content is."""

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from docsearch_local.paths import StackConfig
from tests.support import eventually

pytestmark = pytest.mark.e2e
DEADLINE_S = 30

# Placeholders {content}, {related}, {trending} become words no other document has.
MESSY = (Path(__file__).parent.parent / "fixtures" / "articles" / "messy-nelayan.txt").read_text(encoding="utf-8")


def test_boilerplate_of_a_messy_article_is_not_searchable(
    local_stack: StackConfig, s3: Any, search_api: Callable[..., Any]
) -> None:
    def _search(q: str) -> Any:
        # What the words find (lexical mode): hybrid mode would list the model's nearest articles after a match.
        return search_api(q=q, size=50, mode="lexical").json()

    tag = uuid.uuid4().hex[:8]
    content, related, trending = f"zqisi{tag}", f"zqbaca{tag}", f"zqpopuler{tag}"
    key = f"e2e-messy/{tag}/nelayan.txt"
    s3.put_object(
        Bucket=local_stack.bucket,
        Key=key,
        Body=MESSY.format(content=content, related=related, trending=trending).encode(),
    )
    eventually(lambda: _search(content)["total"] == 1, "the article's content searchable")
    [hit] = _search(content)["results"]
    assert hit["key"] == key
    assert hit["title"] == f"Nelayan {content} Panen Ikan Tongkol, Harga di Pelelangan Turun"
    assert _search(f"tongkol {content}")["total"] == 1
    # The related-link line, the trending list and the comment prompt were never indexed.
    assert _search(related)["total"] == 0
    assert _search(trending)["total"] == 0
    for words in ("tulis komentar", "sinetron pernikahan", "sepatu lari promo"):
        # Found as written: never. The looser second pass (relaxed: any one word, two typos on long words)
        # may offer it for "pernikahan" ~ "perikanan", and says so.
        answer = _search(words)
        assert answer.get("relaxed") or all(result["key"] != key for result in answer["results"]), words

    s3.put_object(
        Bucket=local_stack.bucket, Key=key, Body=f"Nelayan Libur\nCuaca buruk, {related} tidak melaut.".encode()
    )
    eventually(lambda: _search(related)["total"] == 1, "the replaced version searchable")
    assert _search(content)["total"] == 0
    s3.delete_object(Bucket=local_stack.bucket, Key=key)
    eventually(lambda: _search(related)["total"] == 0, "the deleted article gone")
