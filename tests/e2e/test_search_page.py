"""The search page in a real browser: Debian's headless Chromium driven by Playwright, on the local stack.

Playwright never downloads a browser here: `make browser` installs Debian's chromium and the test
fails (it does not skip) when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from docsearch_local.paths import StackConfig
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
MARK_RGB = (0xFF, 0xE5, 0x8A)  # --mark in web/style.css
ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts"


@pytest.fixture(scope="module")
def corpus(local_stack: StackConfig, s3: Any) -> dict[str, Any]:
    """13 flood reports with a unique token, from two sources; one has markup in its title."""
    token = f"zq{uuid.uuid4().hex[:8]}"
    sources = {"kabarpagi.id": 8, "warta-timur.com": 5}
    keys = []
    n = 0
    for source, count in sources.items():
        for _ in range(count):
            n += 1
            title = (
                f'Banjir <img src=x onerror="window.pwned=1"> {token} & "Bekasi"'
                if n == 1
                else f"Banjir {token} ke-{n}"
            )
            body = (
                f"{title}\nHujan deras sejak malam membuat banjir merendam ratusan rumah warga. "
                f"Petugas mencatat laporan {token} nomor {n} dan membuka posko pengungsian di balai desa."
            )
            key = f"page-test/{token}/{n:02d}.txt"
            metadata = {"source": source, "published-at": f"2024-0{1 + n % 9}-{10 + n:02d}"}
            s3.put_object(Bucket=local_stack.bucket, Key=key, Body=body.encode(), Metadata=metadata)
            keys.append(key)

    def all_found() -> bool:
        # Counted in lexical mode: hybrid may add an article the model puts near a meaningless token.
        answer = requests.get(
            f"{local_stack.api_url}/search", params={"q": token, "mode": "lexical"}, timeout=10
        ).json()
        return bool(answer.get("total") == len(keys))

    eventually(all_found, f"the {len(keys)} test articles searchable", timeout_s=60)
    yield {"token": token, "sources": sources, "total": len(keys)}
    for key in keys:
        s3.delete_object(Bucket=local_stack.bucket, Key=key)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    assert CHROMIUM.exists(), "Debian's chromium is missing: run `make browser` (as root) first"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=PHONE,
            locale="id-ID",
        )
        yield context
        context.close()


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_search_results_filters_paging_and_screenshot(
    page: Page, local_stack: StackConfig, corpus: dict[str, Any]
) -> None:
    token = corpus["token"]
    page.goto(f"{local_stack.api_url}/")
    expect(page).to_have_url(f"{local_stack.api_url}/web/")
    # The counts below are the words' matches: lexical mode, which the address carries on (see the story test).
    page.goto(f"{local_stack.api_url}/web/?mode=lexical")
    # Accessible form: the query box has a label and has focus; every control is labelled.
    query_box = page.get_by_label("Kata kunci")
    expect(query_box).to_be_focused()
    unlabelled = page.evaluate(
        "Array.from(document.querySelectorAll('input, select')).filter(el => el.labels.length === 0).map(el => el.id)"
    )
    assert unlabelled == []

    page.keyboard.type(f"banjir {token}")
    with page.expect_request(lambda r: "/search?" in r.url and "mode=lexical" in r.url):
        page.keyboard.press("Enter")  # keyboard only
    results = page.locator("#result-list > li")
    expect(results).to_have_count(10)
    expect(page.locator("#status")).to_contain_text(f"{corpus['total']} hasil")
    expect(page.locator("#result-list mark").first).to_be_visible()
    marked = {text.lower() for text in page.locator("#result-list mark").all_inner_texts()}
    assert token in marked and "banjir" in marked

    # Source and date shown, the date in Indonesian; the storage key is not on the results page.
    expect(page.locator("#result-list .meta").first).to_contain_text(
        re.compile(r"\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September) 2024")
    )
    expect(page.locator("#result-list")).not_to_contain_text("page-test/")
    # On a phone the filters fold away under one line and the results come first.
    assert not page.locator("#filters").evaluate("el => el.open")
    assert page.locator("#result-list > li").first.bounding_box()["y"] < PHONE["height"] / 2

    # Phone width: nothing overflows sideways; the screenshot (results first, filters folded) is checked below.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "search-page-375.png"
    page.screenshot(path=str(shot), full_page=True)
    _check_screenshot(shot)

    # Source facets with counts, as labelled checkboxes.
    page.get_by_text("Filter", exact=True).click()  # unfold them
    for source, count in corpus["sources"].items():
        expect(page.get_by_label(f"{source} ({count})")).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS / "search-page-375-filters.png"), full_page=True)

    # Paging: the next page holds the remaining three, numbered on from 11.
    pager = page.get_by_role("navigation", name="Halaman hasil")
    expect(pager).to_contain_text("Halaman 1 dari 2")
    page.get_by_role("button", name="Berikutnya ›").click()
    expect(pager).to_contain_text("Halaman 2 dari 2")
    expect(results).to_have_count(corpus["total"] - 10)
    assert page.locator("#result-list").get_attribute("start") == "11"
    expect(page.get_by_role("button", name="Berikutnya ›")).to_be_disabled()
    assert "page=2" in page.url

    # Filters go to the API as its parameters (source may repeat; dates are YYYY-MM-DD).
    with page.expect_request(lambda r: "/search?" in r.url and "source=warta-timur.com" in r.url) as sent:
        page.get_by_label("warta-timur.com (5)").check()
    assert "page=" not in sent.value.url  # a filter change starts again at page 1
    expect(page.get_by_label("warta-timur.com", exact=False)).to_be_checked()
    # Dates are typed the Indonesian way and sent as YYYY-MM-DD; a date that cannot be read is said so.
    page.get_by_label("Dari tanggal").fill("1 Mret 2024")
    page.get_by_label("Dari tanggal").press("Enter")
    expect(page.locator("#date-error")).to_contain_text("tidak terbaca sebagai tanggal")
    with page.expect_request(lambda r: "date_from=2024-03-01" in r.url and "source=warta-timur.com" in r.url):
        page.get_by_label("Dari tanggal").fill("1 Maret 2024")
        page.get_by_label("Dari tanggal").press("Enter")
    expect(page.get_by_label("Dari tanggal")).to_have_value("1 Maret 2024")
    expect(page.locator("#date-error")).to_be_hidden()
    # Articles whose date is not known: a date filter leaves them out unless the reader includes them.
    with page.expect_request(lambda r: "undated=include" in r.url and "date_from=2024-03-01" in r.url):
        page.get_by_label("Sertakan artikel tanpa tanggal").check()
    with page.expect_request(lambda r: "sort=newest" in r.url):
        page.get_by_label("Urutkan").select_option("newest")
    expect(page.locator("#status")).to_contain_text("hasil")


def test_titles_are_text_never_markup(page: Page, local_stack: StackConfig, corpus: dict[str, Any]) -> None:
    # Ingestion strips tags from headlines; the page must not trust that: it sets every field as text.
    hostile = {
        "query": "Bekasi",
        "total": 1,
        "page": 1,
        "size": 10,
        "took_ms": 1,
        "facets": {"source": []},
        "results": [
            {
                "id": "x",
                "key": "x.txt",
                "title": 'Banjir <img src=x onerror="window.pwned=1"> & "Bekasi"',
                "source": "<b>situs</b>",
                "published_at": None,
                "score": 1.0,
                "snippets": ["<mark>Bekasi</mark> &lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;"],
            }
        ],
    }
    page.route(
        "**/search?*",
        lambda route: route.fulfill(status=200, headers={"Content-Type": "application/json"}, body=json.dumps(hostile)),
    )
    page.goto(f"{local_stack.api_url}/web/?q=Bekasi")
    title = page.locator("#result-list h2")
    expect(title).to_have_count(1)
    expect(title).to_contain_text('<img src=x onerror="window.pwned=1">')
    expect(title).to_contain_text('& "Bekasi"')
    expect(page.locator("#result-list .meta")).to_contain_text("tanpa tanggal")  # said, not left blank
    expect(page.locator("#result-list mark")).to_have_count(1)
    assert page.locator("#result-list img").count() == 0
    assert page.evaluate("window.pwned === undefined")


def test_no_results_and_errors(page: Page, local_stack: StackConfig, corpus: dict[str, Any]) -> None:
    page.goto(f"{local_stack.api_url}/web/")
    page.get_by_label("Kata kunci").fill(f"{corpus['token']}tidakada")
    page.get_by_role("button", name="Cari").click()
    expect(page.locator("#status")).to_contain_text("Tidak ada hasil")
    expect(page.locator("#result-list > li")).to_have_count(0)
    expect(page.locator("#pager")).to_be_hidden()

    # A 400 from the API (a date the API refuses, e.g. from an edited link) shows its message.
    page.goto(f"{local_stack.api_url}/web/?q=banjir&date_from=2024-13-45")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Permintaan tidak valid")
    expect(alert).to_contain_text("dari tanggal")

    # A date the page cannot read is said beside the dates, unfolded, and nothing is sent.
    page.get_by_label("Kata kunci").press("Enter")
    expect(page.locator("#date-error")).to_be_visible()
    expect(page.get_by_label("Dari tanggal")).to_be_focused()

    # A 503 (engine down) tells the person to retry.
    page.get_by_label("Dari tanggal").fill("")
    page.route(
        "**/search?*",
        lambda route: route.fulfill(
            status=503,
            headers={"Retry-After": "5", "Content-Type": "application/json"},
            body='{"error": {"code": "engine_unavailable", "message": "the search engine is unavailable"}}',
        ),
    )
    page.get_by_label("Kata kunci").fill("banjir")
    page.keyboard.press("Enter")
    expect(alert).to_contain_text("tidak tersedia")
    expect(page.locator("#result-list > li")).to_have_count(0)


STORY = [
    "Hujan deras sejak Senin malam membuat sungai meluap dan merendam ratusan rumah warga di tepi kali.",
    "Petugas gabungan mengevakuasi lebih dari dua ratus warga lanjut usia dan anak-anak dengan perahu karet.",
    "Kepala dinas sosial mengatakan bantuan makanan siap saji cukup untuk kebutuhan satu minggu ke depan.",
]
CANONICAL = "https://kabarpagi.id/2024/06/19/banjir-kali"


@pytest.fixture(scope="module")
def story(local_stack: StackConfig, s3: Any) -> Iterator[dict[str, Any]]:
    """One story in three copies (three spellings of sources, one with a comma) and one other story."""
    token = f"zs{uuid.uuid4().hex[:8]}"
    lines = [f"{paragraph} Kode {token}." for paragraph in STORY]  # no paragraph shared with another run
    objects = {
        "a": (f"Banjir Rendam Ratusan Rumah {token}", lines, {"source": "kabarpagi.id", "url": CANONICAL}, "19"),
        "b": (f"Ratusan Rumah Terendam {token}", lines, {"source": "Warta Timur, Jakarta"}, "20"),
        "c": (f"Sungai Meluap {token}", lines, {"source": "KOMPAS.com"}, "21"),
        "d": (
            f"Harga Cabai Naik {token}",
            [f"Harga cabai rawit di pasar induk {token} naik dua kali lipat."],
            {"source": "kompas.com"},
            "22",
        ),
    }
    keys = []
    for name, (title, body, metadata, day) in objects.items():
        key = f"berita/{token}/{name}.txt"
        text = title + "\n" + "\n".join(body)
        s3.put_object(
            Bucket=local_stack.bucket,
            Key=key,
            Body=text.encode(),
            Metadata={**metadata, "published-at": f"2024-06-{day}"},
        )
        keys.append(key)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        params = {"q": token, "group": "false", "mode": "lexical"}  # what the words match (see corpus above)
        answer = requests.get(f"{local_stack.api_url}/search", params=params, timeout=10).json()
        if answer.get("total") == len(keys):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the story's copies were not searchable within 60s")
    yield {"token": token, "titles": [objects[n][0] for n in "abcd"]}
    for key in keys:
        s3.delete_object(Bucket=local_stack.bucket, Key=key)


def test_titles_open_a_readable_view_and_copies_are_grouped(
    page: Page, local_stack: StackConfig, story: dict[str, Any]
) -> None:
    token, titles = story["token"], story["titles"]
    page.set_viewport_size(DESKTOP)
    # Lexical mode: the model may put other tests' token-titled articles near a meaningless token.
    page.goto(f"{local_stack.api_url}/web/?q={token}&sort=oldest&mode=lexical")
    results = page.locator("#result-list > li")
    expect(results).to_have_count(2)  # three copies of one story are one result
    expect(page.locator("#status")).to_contain_text("2 hasil")
    expect(page.locator("#status")).to_contain_text("4 artikel")
    first = results.first
    expect(first.locator("h2")).to_have_text(titles[0])
    expect(first.locator(".meta")).to_contain_text("kabarpagi.id · 19 Juni 2024")
    assert first.locator("a.original").get_attribute("href") == CANONICAL
    copies = first.locator(".copies")
    expect(copies).to_contain_text("Juga dimuat 2 salinan lain:")
    # Each copy with its outlet and its own title, opening its readable view.
    expect(copies.locator("li")).to_have_count(2)
    expect(copies.locator("li").first).to_contain_text("Warta Timur, Jakarta")
    expect(copies.locator("li").last).to_contain_text("Kompas.com")
    assert copies.locator("li a").first.get_attribute("href").startswith("dokumen.html?id=")
    # Desktop: the filters sit open beside the results; one facet per outlet whatever its spelling.
    assert page.locator("#filters").evaluate("el => el.open")
    expect(page.get_by_label("Kompas.com (2)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-page-1280.png"), full_page=True)

    # A source whose name holds a comma is one filter value.
    with page.expect_response(lambda r: "source=Warta+Timur%2C+Jakarta" in r.url) as answered:
        page.get_by_label("Warta Timur, Jakarta (1)").check()
    assert [hit["source"] for hit in answered.value.json()["results"]] == ["Warta Timur, Jakarta"]
    expect(results).to_have_count(1)
    page.get_by_label("Warta Timur, Jakarta", exact=False).uncheck()
    expect(results).to_have_count(2)

    # A group opened: its three copies, each its own result; back to the grouped list.
    copies.get_by_role("link", name="Tampilkan semua 3 salinan sebagai hasil terpisah").click()
    expect(results).to_have_count(3)
    expect(page.locator("#status")).to_contain_text("3 salinan dari satu berita")
    page.go_back()
    expect(results).to_have_count(2)

    # Grouping off: every copy is its own result.
    with page.expect_request(lambda r: "group=false" in r.url):
        page.get_by_label("Gabungkan salinan berita yang sama").uncheck()
    expect(results).to_have_count(4)
    expect(page.locator(".copies")).to_have_count(0)

    # The title opens the readable view of the stored article, with a link to the original.
    page.get_by_role("link", name=titles[0]).click()
    expect(page).to_have_url(re.compile(r"/web/dokumen\.html\?id=[0-9a-f]{32}$"))
    expect(page.locator("h1")).to_have_text(titles[0])
    expect(page.locator("#doc-meta")).to_contain_text("kabarpagi.id · 19 Juni 2024")
    expect(page.locator("#doc-body p")).to_have_count(3)
    expect(page.locator("#doc-body")).to_contain_text(f"{STORY[1]} Kode {token}.")
    assert page.get_by_role("link", name="Baca di situs asli ↗").get_attribute("href") == CANONICAL
    page.screenshot(path=str(ARTIFACTS / "document-view-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(ARTIFACTS / "document-view-375.png"), full_page=True)
    page.go_back()
    expect(results).to_have_count(4)

    page.goto(f"{local_stack.api_url}/web/dokumen.html?id=tidakada")
    expect(page.get_by_role("alert")).to_contain_text("Artikel tidak ditemukan")


def _check_screenshot(path: Path) -> None:
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        assert width == PHONE["width"] and height >= PHONE["height"]
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 50, "the screenshot is (nearly) blank"
        mark_pixels = sum(count for count, colour in colours if colour == MARK_RGB)
        assert mark_pixels > 500, "no highlighted snippet is visible in the screenshot"
