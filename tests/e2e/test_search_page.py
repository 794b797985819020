"""The search page in a real browser: Debian's headless Chromium driven by Playwright, on the local stack.

Playwright never downloads a browser here: `make browser` installs Debian's chromium and the test
fails (it does not skip) when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import json
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
        answer = requests.get(f"{local_stack.api_url}/search", params={"q": token}, timeout=10).json()
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
    # Accessible form: the query box has a label and has focus; every control is labelled.
    query_box = page.get_by_label("Kata kunci")
    expect(query_box).to_be_focused()
    unlabelled = page.evaluate(
        "Array.from(document.querySelectorAll('input, select')).filter(el => el.labels.length === 0).map(el => el.id)"
    )
    assert unlabelled == []

    page.keyboard.type(f"banjir {token}")
    page.keyboard.press("Enter")  # keyboard only
    results = page.locator("#result-list > li")
    expect(results).to_have_count(10)
    expect(page.locator("#status")).to_contain_text(f"{corpus['total']} hasil")
    expect(page.locator("#result-list mark").first).to_be_visible()
    marked = {text.lower() for text in page.locator("#result-list mark").all_inner_texts()}
    assert token in marked and "banjir" in marked

    expect(page.locator("#result-list .meta").first).to_contain_text("2024-")  # source and date shown

    # Source facets with counts, as labelled checkboxes.
    for source, count in corpus["sources"].items():
        expect(page.get_by_label(f"{source} ({count})")).to_be_visible()

    # Phone width: nothing overflows sideways; the screenshot is checked below.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "search-page-375.png"
    page.screenshot(path=str(shot), full_page=True)
    _check_screenshot(shot)

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
    with page.expect_request(lambda r: "date_from=2024-03-01" in r.url and "source=warta-timur.com" in r.url):
        page.get_by_label("Dari tanggal").fill("2024-03-01")
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
    expect(alert).to_contain_text("date_from")

    # A 503 (engine down) tells the person to retry.
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


def _check_screenshot(path: Path) -> None:
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        assert width == PHONE["width"] and height >= PHONE["height"]
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 50, "the screenshot is (nearly) blank"
        mark_pixels = sum(count for count, colour in colours if colour == MARK_RGB)
        assert mark_pixels > 500, "no highlighted snippet is visible in the screenshot"
