"""Packages lean one way: ingest/ may use index/ and search/'s neighbours, never the reverse. Read from the
modules' own import statements (ast), so a new import the wrong way fails here before review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import docsearch

PACKAGE = Path(docsearch.__file__).parent
# package -> the packages of docsearch it must not import
FORBIDDEN = {"search": ("ingest", "index"), "index": ("ingest",)}
# Modules at the package root sit below every package: they import none of them.
ROOT_MODULES = ("document", "aliases", "outlets", "settings", "errors", "engine", "text")


def imported(path: Path) -> set[str]:
    """The docsearch modules ``path`` imports (absolute, or relative resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["docsearch", *path.relative_to(PACKAGE).parent.parts]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.startswith("docsearch.")}


def _modules(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_nothing_from_the_packages_above_it(package: str) -> None:
    wrong = {
        f"{path.relative_to(PACKAGE)} -> {name}"
        for path in _modules(package)
        for name in imported(path)
        if name.split(".")[1] in FORBIDDEN[package]
    }
    assert not wrong


@pytest.mark.parametrize("module", ROOT_MODULES)
def test_the_root_modules_import_no_package(module: str) -> None:
    names = imported(PACKAGE / f"{module}.py")
    assert not {name for name in names if name.split(".")[1] in ("ingest", "index", "search")}


def test_the_imports_are_read() -> None:
    """The check sees a module's imports (one that saw none would always pass)."""
    sample = PACKAGE / "search" / "query.py"
    assert "docsearch.search.parse" in imported(sample)
    assert "docsearch.document" in imported(sample)
