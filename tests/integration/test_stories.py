"""Finding a new document's earlier copies on the real engine: one search for the batch when few indexed
documents share its paragraphs, a search per document when many do; the same story either way."""

from typing import Any

import pytest
from opensearchpy import OpenSearch, helpers

from docsearch.index.definition import ensure_index
from docsearch.ingest import fingerprint
from docsearch.ingest.fingerprint import assign_stories, own_story

pytestmark = pytest.mark.integration

# Hashes as paragraph_hashes makes them: the story's four paragraphs, and a line many documents share.
STORY = ["a1" * 8, "a2" * 8, "a3" * 8, "a4" * 8]
COMMON = "c0" * 8


def _doc(paragraphs: list[str], story: str, indexed_at: str) -> dict[str, Any]:
    return {"title": "t", "body": "b", "paragraphs": paragraphs, "story": story, "indexed_at": indexed_at}


def _counting(engine: OpenSearch) -> tuple[OpenSearch, list[int]]:
    """``engine`` whose _msearch calls are recorded (how many searches each one held)."""
    calls: list[int] = []

    class Counting:
        def __getattr__(self, name: str) -> Any:
            return getattr(engine, name)

        def msearch(self, **kwargs: Any) -> Any:
            calls.append(len(kwargs["body"]) // 2)
            return engine.msearch(**kwargs)

    return Counting(), calls  # type: ignore[return-value]


@pytest.mark.parametrize("sharing_one_line", [0, 8])
def test_a_copy_takes_the_story_of_the_original_whatever_shares_a_line_with_it(
    engine: OpenSearch, index_alias: str, monkeypatch: pytest.MonkeyPatch, sharing_one_line: int
) -> None:
    monkeypatch.setattr(fingerprint, "BATCH_CANDIDATES", 5)  # 8 documents sharing a line are "many"
    ensure_index(engine, index_alias)
    indexed = {"original": _doc([*STORY, COMMON], "story-original", "2024-06-19T08:00:00+00:00")}
    # Documents that share one line with the copy (a footer left in): each outranks nothing but shares it.
    for n in range(sharing_one_line):
        indexed[f"other-{n}"] = _doc([COMMON, f"{n:02d}" * 8], f"story-{n}", "2024-06-19T07:00:00+00:00")
    # An older document sharing two of the four paragraphs: a candidate, but not the best one.
    indexed["partial"] = _doc([STORY[0], STORY[1], "p1" * 8], "story-partial", "2024-06-19T06:00:00+00:00")
    actions = [{"_index": index_alias, "_id": doc_id, "_source": doc} for doc_id, doc in indexed.items()]
    helpers.bulk(engine, actions, refresh=True)
    copy = [*STORY, COMMON, "x1" * 8]
    fresh = ["f1" * 8, "f2" * 8, "f3" * 8]
    batch = {
        "copy": {"paragraphs": copy, "story": own_story(copy, "copy")},
        "fresh": {"paragraphs": fresh, "story": own_story(fresh, "fresh")},
    }
    client, calls = _counting(engine)

    assign_stories(client, index_alias, batch)

    assert batch["copy"]["story"] == "story-original"  # shares all four: before the partial one, older as it is
    assert batch["fresh"]["story"] == own_story(fresh, "fresh")
    # One search for the batch; a search per document only when more than BATCH_CANDIDATES share a line.
    assert calls == ([1] if sharing_one_line == 0 else [1, 2])


def test_a_tombstone_is_no_candidate(engine: OpenSearch, index_alias: str) -> None:
    ensure_index(engine, index_alias)
    gone = {**_doc(STORY, "story-gone", "2024-06-19T08:00:00+00:00"), "deleted": True}
    helpers.bulk(engine, [{"_index": index_alias, "_id": "gone", "_source": gone}], refresh=True)
    batch = {"copy": {"paragraphs": STORY, "story": own_story(STORY, "copy")}}

    assign_stories(engine, index_alias, batch)

    assert batch["copy"]["story"] == own_story(STORY, "copy")
