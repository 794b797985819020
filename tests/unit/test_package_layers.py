"""Packages lean one way: search reads the shared modules at the package root, never the ingest path."""

import ast
from pathlib import Path

import docsearch

SEARCH = Path(docsearch.__file__).parent / "search"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def test_search_imports_nothing_from_ingest() -> None:
    modules = sorted(SEARCH.glob("*.py"))
    assert len(modules) > 5  # the search package itself, not an empty glob
    leaning = {p.name: m for p in modules for m in imported_modules(p) if m.startswith("docsearch.ingest")}
    assert leaning == {}
