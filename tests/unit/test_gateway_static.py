"""The local gateway serves the static search page beside the API, and nothing outside web/."""

from docsearch_local.gateway import WEB_ROOT, static_file


def test_page_paths() -> None:
    assert static_file("/") == WEB_ROOT / "index.html"
    assert static_file("/web/") == WEB_ROOT / "index.html"
    assert static_file("/web/app.js?v=1") == WEB_ROOT / "app.js"
    assert static_file("/web/style.css") == WEB_ROOT / "style.css"


def test_api_routes_and_escapes_are_not_files() -> None:
    for path in (
        "/search?q=banjir",
        "/health",
        "/documents/abc",
        "/web/nope.js",
        "/web/../README.md",
        "/web/%2e%2e/Makefile",
        "/web/..%2f..%2fetc/passwd",
        "/README.md",
    ):
        assert static_file(path) is None, path
