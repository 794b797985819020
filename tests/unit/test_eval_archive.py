"""The real-archive report's own parts: conversion, upload forms, typos, and the skip without data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from eval.archive import corpus
from eval.archive.corpus import Record, detik_channel
from eval.archive.fields import implausible
from eval.archive.forms import CREDITS, caption, date_line, uploads
from eval.archive.report import run
from eval.archive.search import two_typos

RECORD = Record(
    id="abcdef0123456789",
    archive="detik",
    outlet="detikcom",
    channel="detikJabar",
    title="Warga Bandung Keluhkan Banjir?",
    published="2025-10-21T20:43",
    url="https://www.detik.com/jabar/berita/d-1/warga-bandung",
    body="Warga Bandung, Jawa Barat, mengeluhkan banjir yang datang tiap sore.\nHujan deras turun sejak siang.",
)


def test_detik_channels_come_from_the_host_or_the_first_folder() -> None:
    assert detik_channel("https://news.detik.com/berita/d-1/x") == "detikNews"
    assert detik_channel("https://finance.detik.com/energi/d-2/y") == "detikFinance"
    assert detik_channel("https://www.detik.com/jabar/berita/d-3/z") == "detikJabar"


def test_the_date_line_is_the_outlets_own() -> None:
    assert date_line(RECORD) == "Selasa, 21 Okt 2025 20:43 WIB"


def test_the_caption_carries_the_day_before_and_a_credit() -> None:
    line = caption(RECORD)
    assert "Senin (20/10/2025)." in line
    assert any(line.endswith(f"). {credit}") for credit in CREDITS)


def test_the_three_forms_carry_the_outlets_metadata() -> None:
    forms = uploads(RECORD, [RECORD])
    page = forms["html"].data.decode()
    assert '<meta name="publishdate" content="2025/10/21 20:43:00">' in page
    assert '<meta property="og:site_name" content="detikjabar">' in page
    export = json.loads(forms["json"].data)
    assert export["source"] == "detikJabar"
    assert export["published_at"] == "2025-10-21T20:43:00+07:00"
    text = forms["txt"].data.decode()
    assert "detikJabar | Selasa, 21 Okt 2025 20:43 WIB" in text
    assert RECORD.title in text


def test_two_typos_change_two_letters_the_same_way_every_run() -> None:
    typo = two_typos("Bahlil Lahadalia")
    assert typo == two_typos("Bahlil Lahadalia")
    changed = sum(a != b for a, b in zip(typo, "Bahlil Lahadalia", strict=True))
    assert changed == 2
    assert typo.split()[0][0] == "B" and typo.split()[1][0] == "L"


def test_implausible_dates() -> None:
    uploaded, published = date(2026, 1, 1), date(2025, 10, 21)
    assert implausible(date(1945, 8, 17), published, uploaded)
    assert implausible(date(3025, 10, 21), published, uploaded)
    assert implausible(date(2024, 1, 1), published, uploaded)
    assert not implausible(published, published, uploaded)


def test_without_mirrors_the_report_says_it_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "MIRROR_ROOT", tmp_path / "absent")
    monkeypatch.setenv("DOCSEARCH_ARCHIVE_CACHE", str(tmp_path / "cache"))
    text = run(client=None, reader=None)  # type: ignore[arg-type]  # never reached without data
    assert text.startswith("Real-archive report skipped: no archive data")


def test_an_ablation_variant_holds_only_while_it_is_applied() -> None:
    """Each change is in force for its own searches and indices, and gone after (the next variant starts clean)."""
    from docsearch.index import definition
    from docsearch.search import hybrid, query
    from eval.archive.ablation import VARIANTS, Variant, applied

    def k1() -> float:
        return float(definition.index_settings(serverless=False)["index"]["similarity"]["news_bm25"]["k1"])

    shipped = (query.EXACT_BOOST, hybrid.DENSE_WEIGHT, k1())
    changes = {"docsearch.search.query.EXACT_BOOST": 0.0, "docsearch.search.hybrid.DENSE_WEIGHT": 0.55}
    with applied(Variant("exact x0, dense 0.55, k1 1.7", changes, {"k1": 1.7})):
        assert (query.EXACT_BOOST, hybrid.DENSE_WEIGHT, k1()) == (0.0, 0.55, 1.7)
    assert (query.EXACT_BOOST, hybrid.DENSE_WEIGHT, k1()) == shipped
    # Every variant names constants that exist (mock.patch refuses a missing one): a renamed constant fails here.
    for each in VARIANTS:
        with applied(each):
            pass
