"""The format registry: one reader per format, chosen by extension, then content type, then first bytes."""

from __future__ import annotations

import gzip

import pytest

from docsearch.ingest.extract import Unindexable, extract_article, read_article
from docsearch.ingest.extract.readers import lazy_imports, reader_for, readers, upload_type
from docsearch.ingest.extract.readers.base import ReadLimits

ARTICLE = "Judul Berita Banjir\n\nJAKARTA - Banjir merendam tiga kecamatan pada Senin pagi, kata petugas."


def test_every_module_with_a_reader_is_registered_and_claims_are_not_shared() -> None:
    names = [reader.name for reader in readers()]
    assert names == ["doc", "docx", "gzip", "html", "json", "md", "pdf", "txt"]
    suffixes = [s for reader in readers() for s in reader.suffixes]
    types = [t for reader in readers() for t in reader.content_types]
    assert len(suffixes) == len(set(suffixes))  # one reader per extension: the first would win silently
    assert len(types) == len(set(types))
    assert all(s == s.lower() and not s.startswith(".") for s in suffixes)


@pytest.mark.parametrize(
    ("key", "content_type", "head", "name"),
    [
        ("a/b.TXT", "text/html", b"", "txt"),  # the extension decides before the type
        ("a/b", "application/json; charset=utf-8", b"", "json"),
        ("a/b.html.gz", "text/html", b"", "gzip"),  # the last extension is the container
        ("a/b", "application/octet-stream", b"\x1f\x8b\x08\x00", "gzip"),  # first bytes, when nothing else says
        ("a/b", "", b"%PDF-1.7\n", "pdf"),
        ("", "", b"Judul", "txt"),  # bytes with no name at all are text, as they always were
    ],
)
def test_reader_for_extension_then_type_then_first_bytes(key: str, content_type: str, head: bytes, name: str) -> None:
    assert reader_for(key, content_type, head).name == name


def test_an_object_nothing_claims_is_skipped_naming_what_is_readable() -> None:
    with pytest.raises(Unindexable) as raised:
        reader_for("laporan.xlsx", "application/octet-stream", b"PK\x03\x04")
    assert raised.value.reason == "unsupported_format"
    assert "extension .xlsx" in raised.value.detail and ".gz" not in raised.value.detail
    assert "gz" in raised.value.detail and "html" in raised.value.detail


def test_upload_types_and_lazy_imports_come_from_the_readers() -> None:
    assert upload_type("a/berita.md") == "text/markdown; charset=utf-8"
    assert upload_type("arsip.json.gz") == "application/gzip"
    assert upload_type("laporan.pdf") == "application/pdf"
    assert upload_type("laporan.xlsx") is None
    assert {"readability", "lxml.html"} <= set(lazy_imports())


def test_the_reader_names_the_stored_format() -> None:
    assert extract_article(ARTICLE.encode(), key="a.md").format == "md"
    assert extract_article(gzip.compress(ARTICLE.encode()), key="a.txt.gz").format == "txt"


def test_outlet_folders_come_from_the_options_not_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from docsearch.ingest.extract import ReadOptions
    from docsearch.settings import Settings

    monkeypatch.setenv("SOURCE_PREFIXES", "tempo")
    settings = Settings(opensearch_url="http://127.0.0.1:9200", source_prefixes="kompas", max_object_bytes=4096)
    options = ReadOptions.from_settings(settings)
    assert options.source_folders == ("kompas",) and options.limits == ReadLimits(max_bytes=4096)
    assert read_article(ARTICLE.encode(), key="kompas/a.txt", options=options).source == "Kompas.com"
    assert read_article(ARTICLE.encode(), key="tempo/a.txt", options=options).source is None
    assert read_article(ARTICLE.encode(), key="tempo/a.txt").source is None  # no options: no folders
    assert extract_article(ARTICLE.encode(), key="tempo/a.txt").source is None  # nor from the environment


def test_a_reader_that_breaks_unforeseen_is_a_named_skip_not_a_fetch_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from docsearch.ingest.extract import ReaderFailed
    from docsearch.ingest.extract.readers import markdown

    def broken(data: bytes, key: str, limits: ReadLimits) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(markdown.READER, "read", broken)
    with pytest.raises(ReaderFailed) as raised:
        extract_article(ARTICLE.encode(), key="a.md")
    assert raised.value.reason == "extraction_error" and raised.value.reader == "md"
    assert isinstance(raised.value.__cause__, KeyError)
    assert extract_article(ARTICLE.encode(), key="a.txt").title  # the other readers are unaffected


def test_a_container_counts_as_what_it_may_unpack_to() -> None:
    from docsearch.ingest.extract.readers import unpacked_bound
    from docsearch.ingest.extract.readers.gzip import MAX_RATIO

    limits = ReadLimits(max_bytes=10 * 2**20)
    assert unpacked_bound("a/b.html", 5000, limits) == 5000
    assert unpacked_bound("a/b.html.gz", 5000, limits) == 5000 * MAX_RATIO
    assert unpacked_bound("a/b.txt.gz", 5 * 2**20, limits) == 10 * 2**20  # never past the object limit
    assert all(reader.unpacked_bound(5000, limits) >= 5000 for reader in readers())  # every reader has one
    assert unpacked_bound("a/b.xlsx", 5000, limits) == 5000  # no reader: read as no more than it is
