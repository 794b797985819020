"""Results a newsroom can open and trust, on the real engine, through ingest and the API's HTTP API v2 events:
one name per outlet, copies of a story grouped, the canonical url and a readable view."""

import json
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import boto3
import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.index.reindex import reindex
from docsearch.ingest.article import document_id
from docsearch.ingest.backfill import backfill
from docsearch.search.client import get_search_client
from docsearch.settings import get_settings
from docsearch_local.gateway import to_http_api_event
from docsearch_local.lambda_context import LocalContext
from docsearch_local.paths import StackConfig
from functions.search import app
from tests.integration.corpora import api_get, ingest

pytestmark = pytest.mark.integration
BUCKET = "newsroom"
# A story in four paragraphs; its copies share them whole, each with its own title and extras.
STORY = [
    "Hujan deras sejak Senin malam membuat sungai meluap dan merendam ratusan rumah warga di tepi kali.",
    "Petugas gabungan mengevakuasi lebih dari dua ratus warga lanjut usia dan anak-anak dengan perahu karet.",
    "Kepala dinas sosial mengatakan bantuan makanan siap saji cukup untuk kebutuhan satu minggu ke depan.",
    "Warga diminta tetap waspada karena hujan lebat masih diperkirakan turun hingga akhir pekan ini.",
]
OTHER = [
    "Banjir rob kembali menggenangi kawasan pelabuhan ikan sehingga nelayan menunda keberangkatan ke laut.",
    "Pengelola pelabuhan memasang pompa tambahan untuk menyedot genangan dari dermaga bongkar muat ikan.",
]
CANONICAL = "https://kabarpagi.id/2024/06/19/banjir-kali"
HTML_PAGE = f"""<!doctype html><html><head><title>Banjir Rob Pelabuhan - KOMPAS.com</title>
<meta property="og:site_name" content="KOMPAS.com"><meta property="og:url" content="https://m.kompas.com/rob">
<link rel="canonical" href="https://www.kompas.com/rob"></head><body><article><h1>Banjir Rob di Pelabuhan</h1>
<p>{OTHER[0]}</p><p>{OTHER[1]}</p></article></body></html>"""

# key -> (bytes, S3 user metadata); ingested in two batches so copies meet both in one batch and in the index.
FIRST_BATCH = {
    "kabar/banjir.txt": (
        "Banjir Rendam Ratusan Rumah\n" + "\n".join(STORY),
        {"source": "kabarpagi.id", "published-at": "2024-06-19", "url": CANONICAL},
    ),
    "kompas/banjir.txt": (
        "Ratusan Rumah Terendam Banjir\nJAKARTA, KOMPAS.com - " + "\n".join(STORY),
        {"published-at": "2024-06-20", "url": "javascript:alert(1)"},
    ),
    "kompas/rob.html": (HTML_PAGE, {"published-at": "2024-06-21"}),
}
SECOND_BATCH = {
    "warta/banjir.txt": (
        "Banjir di Tepi Kali\n"
        + "\n".join([*STORY[1:], "Pemerintah daerah menetapkan status tanggap darurat selama dua pekan."]),
        {"source": "Warta Timur, Jakarta", "published-at": "2024-06-22"},
    ),
    "lain/banjir.txt": (
        "Banjir Bandang di Hulu\n"
        + STORY[0]
        + "\n"
        + OTHER[0].replace("rob", "bandang")
        + "\nJembatan desa putus diterjang arus.",
        {"source": "Kompas.com", "published-at": "2024-06-23"},
    ),
}


@pytest.fixture
def api(engine: OpenSearch, index_alias: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("INDEX_ALIAS", index_alias)
    get_settings.cache_clear()
    get_search_client.cache_clear()
    ensure_index(engine, index_alias)
    ingest(engine, index_alias, BUCKET, FIRST_BATCH)
    ingest(engine, index_alias, BUCKET, SECOND_BATCH)
    yield index_alias
    get_settings.cache_clear()
    get_search_client.cache_clear()


def _id(key: str) -> str:
    return document_id(BUCKET, key)


def test_every_spelling_of_an_outlet_is_one_facet_and_one_filter(api: str) -> None:
    answer = api_get("/search?q=banjir&group=false")
    assert answer["total"] == 5
    facets = {f["value"]: f["count"] for f in answer["facets"]["source"]}
    # "KOMPAS.com" (a dateline), "KOMPAS.com" (og:site_name) and "Kompas.com" (metadata): one outlet.
    assert facets == {"Kompas.com": 3, "kabarpagi.id": 1, "Warta Timur, Jakarta": 1}
    for spelling in ("kompas.com", "KOMPAS.com", "www.Kompas.com"):
        filtered = api_get(f"/search?q=banjir&group=false&source={quote(spelling)}")
        assert {hit["source"] for hit in filtered["results"]} == {"Kompas.com"} and filtered["total"] == 3
    # A folder ("kompas/", "warta/") is not a source unless SOURCE_PREFIXES says so: nothing came from one.
    assert "kompas" not in facets and "warta" not in facets


def test_a_source_with_a_comma_can_be_filtered_on(api: str) -> None:
    # HTTP API v2 joins repeated parameters with commas ("Warta Timur, Jakarta,kabarpagi.id"): the raw query keeps them.
    event_target = f"/search?q=banjir&group=false&source={quote('Warta Timur, Jakarta')}&source=kabarpagi.id"
    assert "," in to_http_api_event("GET", event_target, {}, b"", "127.0.0.1")["queryStringParameters"]["source"]
    answer = api_get(event_target)
    assert {hit["source"] for hit in answer["results"]} == {"Warta Timur, Jakarta", "kabarpagi.id"}
    only = api_get(f"/search?q=banjir&group=false&source={quote('Warta Timur, Jakarta')}")
    assert [hit["id"] for hit in only["results"]] == [_id("warta/banjir.txt")]


def test_copies_of_a_story_are_one_result_unless_grouping_is_off(api: str) -> None:
    grouped = api_get("/search?q=banjir&sort=oldest")
    assert grouped["total"] == 5 and grouped["groups"] == 3
    by_id = {hit["id"]: hit for hit in grouped["results"]}
    assert list(by_id) == [_id("kabar/banjir.txt"), _id("kompas/rob.html"), _id("lain/banjir.txt")]
    story = by_id[_id("kabar/banjir.txt")]
    assert story["more_copies"] == 2
    assert [(c["id"], c["source"]) for c in story["copies"]] == [
        (_id("kompas/banjir.txt"), "Kompas.com"),
        (_id("warta/banjir.txt"), "Warta Timur, Jakarta"),
    ]
    # One shared paragraph (a quoted lead) is not a copy; a page of stories pages correctly.
    assert by_id[_id("lain/banjir.txt")]["more_copies"] == 0
    pages = [api_get(f"/search?q=banjir&sort=oldest&size=1&page={n}")["results"] for n in (1, 2, 3)]
    assert [page[0]["id"] for page in pages] == list(by_id)
    assert api_get("/search?q=banjir&sort=oldest&size=1&page=4")["results"] == []

    ungrouped = api_get("/search?q=banjir&group=false")
    assert ungrouped["groups"] == ungrouped["total"] == len(ungrouped["results"]) == 5
    assert all(hit["more_copies"] == 0 and hit["copies"] == [] for hit in ungrouped["results"])


def test_results_and_documents_carry_the_canonical_url_and_a_view(api: str) -> None:
    hits = {hit["id"]: hit for hit in api_get("/search?q=banjir&group=false")["results"]}
    assert hits[_id("kabar/banjir.txt")]["url"] == CANONICAL  # S3 metadata
    assert hits[_id("kompas/rob.html")]["url"] == "https://www.kompas.com/rob"  # <link rel=canonical> over og:url
    assert hits[_id("kompas/banjir.txt")]["url"] is None  # a javascript: address is never a link
    view = hits[_id("kabar/banjir.txt")]["view"]
    assert view == f"/web/dokumen.html?id={_id('kabar/banjir.txt')}"

    event = to_http_api_event("GET", f"/documents/{_id('kompas/rob.html')}", {}, b"", "127.0.0.1")
    document = json.loads(app.lambda_handler(event, LocalContext("docsearch-search"))["body"])
    assert document["url"] == "https://www.kompas.com/rob" and document["source"] == "Kompas.com"
    assert document["view"].endswith(_id("kompas/rob.html")) and OTHER[0] in document["body"]


def test_a_rebuilt_older_index_gives_every_document_its_own_story(engine: OpenSearch, index_alias: str) -> None:
    ensure_index(engine, index_alias)
    for doc_id in ("a", "b"):  # written before stories existed: no `story`, no `source_key`
        engine.index(index=index_alias, id=doc_id, body={"key": doc_id, "title": "Banjir", "source": "KOMPAS.com "})
    engine.indices.refresh(index=index_alias)
    reindex(engine, index_alias)
    docs = {
        h["_id"]: h["_source"]
        for h in engine.search(index=index_alias, body={"query": {"match_all": {}}})["hits"]["hits"]
    }
    assert {(d["story"], d["source_key"]) for d in docs.values()} == {("a", "kompas.com"), ("b", "kompas.com")}


def test_a_backfill_groups_copies_that_land_in_different_batches(
    engine: OpenSearch, index_alias: str, local_stack: StackConfig
) -> None:
    s3 = boto3.client("s3", endpoint_url=local_stack.aws_url, region_name=local_stack.region)
    prefix = f"bf-copies-{uuid.uuid4().hex[:8]}/"
    # Copies that share three of four paragraphs each: only a lookup of the earlier batch can join them.
    bodies = {"1.txt": [*STORY, OTHER[0]], "2.txt": [OTHER[1], *STORY[1:]]}
    for name, paragraphs in bodies.items():
        s3.put_object(Bucket=local_stack.bucket, Key=prefix + name, Body=("Banjir\n" + "\n".join(paragraphs)).encode())
    summary = backfill(s3, local_stack.bucket, prefix, engine, index_alias, batch_size=1)
    assert summary.indexed == 2
    engine.indices.refresh(index=index_alias)
    stories = {
        engine.get(index=index_alias, id=document_id(local_stack.bucket, prefix + name))["_source"]["story"]
        for name in bodies
    }
    assert len(stories) == 1
