"""Relevance details on the real engine: caption words are searchable, over-stems are fixed, questions find answers."""

from typing import Any

import pytest
from opensearchpy import OpenSearch, helpers

from docsearch.index.definition import ensure_index
from docsearch.ingest.extract import extract_article
from docsearch.search.client import SearchClient
from docsearch.search.models import SearchRequest
from docsearch.search.run import search

pytestmark = pytest.mark.integration

# Written for this test: the place (Samarkand) and the signing appear only in the photo caption.
CAPTION_ARTICLE = "\n".join(
    [
        "kabarkita.id | Internasional",
        "Dua Negara Sepakati Kerja Sama Energi dan Perdagangan",
        "Kamis, 12 September 2024 - 19:05 WIB",
        "Penulis: Rina Hapsari",
        "",
        "Kedua kepala pemerintahan bertemu dalam pertemuan tertutup selama dua jam sebelum keterangan pers.",
        "Kesepakatan itu mencakup pasokan gas alam, jalur kereta barang, dan penghapusan bea masuk pertanian.",
        "",
        "Presiden Uzbekistan dan Perdana Menteri Malaysia berjabat tangan usai penandatanganan nota kesepahaman"
        " di Samarkand, Kamis (12/9/2024). FOTO: AFP",
        "",
        "Pengamat menilai kerja sama ini membuka pasar baru bagi produk sawit dan tekstil dalam lima tahun.",
    ]
)
OTHER_ARTICLE = "\n".join(
    [
        "Harga Beras Turun Menjelang Panen Raya",
        "Senin, 9 September 2024 - 08:00 WIB",
        "",
        "Harga beras medium di pasar tradisional turun rata-rata lima persen dalam sepekan terakhir.",
    ]
)


def _index(engine: OpenSearch, alias: str, docs: dict[str, dict[str, Any]]) -> None:
    ensure_index(engine, alias)
    actions = [{"_index": alias, "_id": doc_id, "_source": source} for doc_id, source in docs.items()]
    helpers.bulk(engine, actions, refresh=True)


def _ids(reader: SearchClient, alias: str, q: str) -> list[str]:
    return [hit.id for hit in search(reader, alias, SearchRequest(q=q)).results]


def test_an_article_is_found_by_words_only_its_photo_caption_holds(
    engine: OpenSearch, reader: SearchClient, index_alias: str
) -> None:
    docs = {}
    for doc_id, text in (("caption", CAPTION_ARTICLE), ("other", OTHER_ARTICLE)):
        article = extract_article(text.encode(), key=f"berita/{doc_id}.txt")
        docs[doc_id] = {"key": f"berita/{doc_id}.txt", "title": article.title, "body": article.body}
    assert "FOTO: AFP" not in docs["caption"]["body"]  # the credit goes, the caption stays
    _index(engine, index_alias, docs)
    assert _ids(reader, index_alias, "Samarkand") == ["caption"]
    assert _ids(reader, index_alias, "penandatanganan Samarkand") == ["caption"]
    assert _ids(reader, index_alias, "Di mana nota kesepahaman itu ditandatangani?")[0] == "caption"
    assert _ids(reader, index_alias, "AFP") == []


def test_stem_overrides_keep_news_words_apart_and_together(
    engine: OpenSearch, reader: SearchClient, index_alias: str
) -> None:
    bodies = {
        "period": "Gubernur terpilih menjabat untuk periode lima tahun.",
        "wedding": "Pasangan artis itu menikah di Ubud pada akhir pekan.",
        "media": "Kementerian menggelar jumpa media di Jakarta.",
        "he": "Dia datang terlambat karena hujan deras.",
        "essay": "Siswi itu memenangi lomba esai tingkat nasional.",
        "one": "Sila pertama berbunyi Ketuhanan Yang Maha Esa.",
        "rank": "Indonesia naik ke peringkat 120 dunia.",
        "rise": "Harga cabai meningkat tajam menjelang Lebaran.",
        "assess": "Pengamat menilai kebijakan itu terlambat.",
        "meet": "Kedua menteri bertemu di Tokyo.",
    }
    _index(engine, index_alias, {doc_id: {"title": "", "body": body} for doc_id, body in bodies.items()})
    assert _ids(reader, index_alias, "periode") == ["period"]
    assert _ids(reader, index_alias, "pernikahan") == ["wedding"]  # menikah / pernikahan: one root, nikah
    assert _ids(reader, index_alias, "media") == ["media"]  # not "dia"
    assert _ids(reader, index_alias, "esai") == ["essay"]  # not "Esa"
    assert _ids(reader, index_alias, "peringkat") == ["rank"]  # not "meningkat"
    assert _ids(reader, index_alias, "nilai") == ["assess"]  # menilai and nilai share their root
    assert _ids(reader, index_alias, "pertemuan") == ["meet"]  # bertemu and pertemuan too


def test_a_question_finds_the_passage_that_lacks_its_template_words(
    engine: OpenSearch, reader: SearchClient, index_alias: str
) -> None:
    bodies = {
        "capital": "Pyongyang adalah ibu kota Korea Utara dan kota terbesar di negara itu.",
        "summit": "Para menteri luar negeri ASEAN bertemu di Vientiane pekan ini.",
    }
    _index(engine, index_alias, {doc_id: {"title": "", "body": body} for doc_id, body in bodies.items()})
    assert _ids(reader, index_alias, "Dimanakah letak Pyongyang?") == ["capital"]
    assert _ids(reader, index_alias, "Apa nama ibu kota Korea Utara?")[0] == "capital"
    # Keywords stay precise: two words must both match, so nothing matches "letak Pyongyang" as typed; the
    # relaxed second look then shows what holds one of them, and says so.
    keywords = search(reader, index_alias, SearchRequest(q="letak Pyongyang"))
    assert keywords.relaxed is True and [hit.id for hit in keywords.results] == ["capital"]
