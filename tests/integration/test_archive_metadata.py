"""Dates, outlets and headlines of real uploads on the real engine (issue 20): uploaded through ingest,
searched through the search function's HTTP API. Fixtures are written in the shape of the outlets' pages."""

from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from docsearch.index.definition import ensure_index
from docsearch.ingest.article import document_id
from docsearch.search.client import get_search_client
from docsearch.settings import get_settings
from tests.integration.corpora import api_get, ingest

pytestmark = pytest.mark.integration
BUCKET = "arsip"
LEAD = "Harga cabai rawit di pasar tradisional naik tajam sejak awal pekan, menurut pantauan para pedagang."
MORE = "Pemerintah daerah menyiapkan operasi pasar untuk menahan kenaikan harga cabai hingga akhir bulan."


def _page(site: str, url: str, title: str, published: str) -> str:
    return f"""<!DOCTYPE html><html lang="id"><head><title>{title}</title>
<meta name="publishdate" content="{published}"><meta property="og:site_name" content="{site}">
<meta property="og:title" content="{title}"><meta property="og:url" content="{url}"></head>
<body><nav><a href="/">Home</a></nav><article><h1>{title}</h1><div class="date">Selasa, 21 Okt 2025 20:43 WIB</div>
<figure><img src="/a.jpg"><figcaption>Pedagang cabai, Senin (20/10/2025). Foto: Dok. Istimewa</figcaption></figure>
<p>{LEAD}</p><p>Rektor Universitas 17 Agustus 1945 ikut memantau harga di pasar.</p><p>{MORE}</p></article>
</body></html>"""


OBJECTS: dict[str, tuple[str, dict[str, str]]] = {
    "detik/news.html": (
        _page(
            "detiknews", "https://news.detik.com/berita/d-1/cabai", "Harga Cabai Naik di Jakarta", "2025/10/21 20:43:00"
        ),
        {},
    ),
    "detik/jabar.html": (
        _page(
            "detikcom",
            "https://www.detik.com/jabar/berita/d-2/cabai",
            "Harga Cabai Naik di Bandung",
            "2025/10/20 09:00:00",
        ),
        {},
    ),
    "cnbc/cabai.txt": (
        "Harga Cabai Naik, Inflasi Terancam?\n\nCNBC Indonesia | Senin, 09 Sep 2024 19:30 WIB\n\n"
        "Pedagang cabai di Pasar Induk, Minggu (8/9/2024). FOTO: AFP\n\n" + LEAD + "\n\n" + MORE,
        {},
    ),
    "tanpa-tanggal/cabai.txt": (
        "Cabai Mahal di Pasar Lama\n\n" + LEAD + " Pasar ini berdiri sejak 17 Agustus 1945.\n\n" + MORE,
        {},
    ),
}


@pytest.fixture
def archive(engine: OpenSearch, index_alias: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("INDEX_ALIAS", index_alias)
    get_settings.cache_clear()
    get_search_client.cache_clear()
    ensure_index(engine, index_alias)
    ingest(engine, index_alias, BUCKET, OBJECTS)
    yield index_alias
    get_settings.cache_clear()
    get_search_client.cache_clear()


def _keys(target: str) -> set[str]:
    return {hit["key"] for hit in api_get(target)["results"]}


def test_dates_come_from_the_strongest_evidence_and_say_where_from(engine: OpenSearch, archive: str) -> None:
    stored = {key: engine.get(index=archive, id=document_id(BUCKET, key))["_source"] for key in OBJECTS}
    assert {k: (d["published_at"], d["date_source"]) for k, d in stored.items()} == {
        "detik/news.html": ("2025-10-21", "meta-tag"),
        "detik/jabar.html": ("2025-10-20", "meta-tag"),
        "cnbc/cabai.txt": ("2024-09-09", "date-line"),
        "tanpa-tanggal/cabai.txt": (None, None),
    }
    assert stored["cnbc/cabai.txt"]["title"] == "Harga Cabai Naik, Inflasi Terancam?"


def test_an_outlet_filter_finds_its_channels_and_a_channel_narrows(archive: str) -> None:
    detik = {"detik/news.html", "detik/jabar.html"}
    assert _keys("/search?q=cabai&group=false&source=detik") == detik
    assert _keys("/search?q=cabai&group=false&source=detik.com") == detik
    assert _keys("/search?q=cabai&group=false&source=detikJabar") == {"detik/jabar.html"}
    assert _keys("/search?q=cabai&group=false&source=cnbcindonesia") == {"cnbc/cabai.txt"}
    facets = [f["value"] for f in api_get("/search?q=cabai&group=false")["facets"]["source"]]
    assert sorted(facets) == ["CNBC Indonesia", "detikJabar", "detikNews"]  # one checkbox per brand, its casing


def test_undated_articles_are_left_out_of_a_date_filter_unless_included(archive: str) -> None:
    october = "/search?q=cabai&group=false&date_from=2025-10-01&date_to=2025-10-31"
    assert _keys(october) == {"detik/news.html", "detik/jabar.html"}
    assert _keys(october + "&undated=include") == {"detik/news.html", "detik/jabar.html", "tanpa-tanggal/cabai.txt"}
    assert "tanpa-tanggal/cabai.txt" not in _keys("/search?q=cabai&group=false&undated=exclude")
    oldest = api_get("/search?q=cabai&group=false&sort=oldest")["results"]
    assert [hit["published_at"] for hit in oldest] == ["2024-09-09", "2025-10-20", "2025-10-21", None]


def test_a_plain_reindex_carries_outlet_and_date_provenance_forward(engine: OpenSearch, index_alias: str) -> None:
    from docsearch.index.reindex import reindex

    ensure_index(engine, index_alias)
    before_v6 = {"key": "a", "title": "Banjir", "source": "detikNews", "source_key": "detiknews", "story": "a"}
    engine.index(index=index_alias, id="a", body={**before_v6, "published_at": "2025-10-21"})
    engine.index(index=index_alias, id="b", body={**before_v6, "key": "b", "story": "b"})
    engine.indices.refresh(index=index_alias)
    reindex(engine, index_alias, in_flight_s=0)
    docs = {h["_id"]: h["_source"] for h in engine.search(index=index_alias)["hits"]["hits"]}
    assert {k: (d["outlet_key"], d.get("date_source")) for k, d in docs.items()} == {
        "a": ("detiknews", "unrecorded"),
        "b": ("detiknews", None),
    }
