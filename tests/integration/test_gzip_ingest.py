"""A gzip'd article uploaded to the bucket is searchable with its title; a gzip bomb is skipped, named."""

import gzip
import uuid
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.ingest.article import document_id
from docsearch.ingest.batch import ingest_messages
from docsearch.ingest.objects import fetch_object
from docsearch.search.client import SearchClient
from docsearch.search.models import SearchRequest
from docsearch.search.run import search
from docsearch_local.events import s3_notification
from docsearch_local.paths import StackConfig

pytestmark = pytest.mark.integration

MB = 2**20
PAGE = (
    "<html><head><title>Nelayan Cilacap Panen Ikan Layur - Warta Pesisir</title>"
    '<meta property="og:site_name" content="Warta Pesisir"></head><body><nav>Beranda | Daerah</nav><article>'
    "<p>CILACAP - Nelayan di pesisir selatan Cilacap panen ikan layur setelah cuaca membaik pekan ini, "
    "dengan hasil tangkapan dua kali lipat dibanding bulan lalu menurut koperasi nelayan setempat.</p>"
    "<p>Harga ikan layur di tempat pelelangan turun karena pasokan melimpah sejak Senin.</p>"
    "</article></body></html>"
)


def _fetch(bucket: str, key: str) -> Any:
    return fetch_object(bucket, key, MB)


def test_a_gzipped_page_is_searchable_with_its_title_and_a_bomb_is_skipped(
    engine: OpenSearch, reader: SearchClient, index_alias: str, s3: Any, local_stack: StackConfig
) -> None:
    bucket, prefix = local_stack.bucket, f"it-{uuid.uuid4().hex[:8]}"
    page, bomb = f"{prefix}/layur.html.gz", f"{prefix}/bom.txt.gz"
    s3.put_object(Bucket=bucket, Key=page, Body=gzip.compress(PAGE.encode()), ContentType="application/gzip")
    bomb_body = gzip.compress(b"Judul\n" + b"\x20" * (256 * MB), 9)  # 256 MiB of spaces
    assert len(bomb_body) < MB  # within the object limit: only unpacking shows what it is
    s3.put_object(Bucket=bucket, Key=bomb, Body=bomb_body, ContentType="application/gzip")
    ensure_index(engine, index_alias)

    outcomes = ingest_messages(
        [("m1", s3_notification(bucket, page)), ("m2", s3_notification(bucket, bomb))], engine, index_alias, _fetch
    )
    assert outcomes["m1"].status == "done" and outcomes["m1"].indexed == 1
    assert outcomes["m2"].skipped == ["too_large"]
    engine.indices.refresh(index=index_alias)
    record = engine.get(index=index_alias, id=document_id(bucket, bomb))["_source"]
    assert record["deleted"] is True and record["skip_reason"] == "too_large"  # a skip record, no text
    assert "body" not in record and "title" not in record

    hits = search(reader, index_alias, SearchRequest(q="nelayan panen layur")).results
    assert [hit.title for hit in hits] == ["Nelayan Cilacap Panen Ikan Layur"]
    stored = engine.get(index=index_alias, id=document_id(bucket, page))["_source"]
    assert stored["key"] == page and stored["format"] == "html" and stored["source"] == "Warta Pesisir"
    assert "Beranda" not in stored["body"]  # read as HTML (the menu went), not as text
