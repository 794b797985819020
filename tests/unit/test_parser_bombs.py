"""Parser bombs of every format: refused quickly with the true reason, or read within budget, and a hard
limit that stops C code (issue 21: a 1 MB HTML attribute bomb took 84 s of libxml2 against a 2 s budget)."""

from __future__ import annotations

import gzip
import json
import multiprocessing.synchronize
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docsearch.ingest.extract import MAX_TITLE_CHARS, Unindexable
from docsearch.ingest.extract.errors import ReaderFailed
from docsearch.ingest.isolation import run_isolated
from docsearch.ingest.objects import StoredObject
from docsearch.ingest.readahead import extract, isolated
from docsearch.ingest.timelimit import TooSlow

MB = 2**20
ARTICLE = "Banjir merendam ratusan rumah warga di Jakarta Timur sejak pagi. " * 20


def _attribute_bomb(size: int, tag: str = "div") -> bytes:
    attributes = " ".join(f'a{n}="x"' for n in range(size // 9))
    return f"<html><body><{tag} {attributes}>teks</{tag}><p>{ARTICLE}</p></body></html>".encode()


def _deep(depth: int) -> bytes:
    return f"<html><body>{'<div>' * depth}<p>{ARTICLE}</p>{'</div>' * depth}</body></html>".encode()


def _stored(data: bytes, content_type: str = "") -> StoredObject:
    return StoredObject(bucket="b", key="k", body=data, content_type=content_type)


def _outcome(key: str, data: bytes) -> tuple[str, Any]:
    """What the batch's extraction makes of the object: ("indexed", article) or (reason, detail)."""
    try:
        return "indexed", extract(key, _stored(data))
    except Unindexable as error:
        return error.reason, error.detail


BOMBS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "html-attributes-1mb": ("a.html", lambda: _attribute_bomb(MB), "parse_limit"),
    "html-attributes-7mb": ("a.html", lambda: _attribute_bomb(7 * MB), "parse_limit"),
    "html-attributes-unquoted": ("a.html", lambda: _attribute_bomb(MB).replace(b'="x"', b""), "parse_limit"),
    "html-nested-past-the-parser": ("a.html", lambda: _deep(300), "parse_limit"),
    "gzip-html-attributes": ("a.html.gz", lambda: gzip.compress(_attribute_bomb(MB)), "parse_limit"),
    "json-nested": ("a.json", lambda: b'{"title": "a", "body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", ""),
    "json-title-8mb": (
        "a.json",
        lambda: json.dumps({"title": "Banjir " * (8 * MB // 7), "body": ARTICLE}).encode(),
        "indexed",
    ),
    "md-heading-4.5mb": ("a.md", lambda: ("# " + "Banjir " * (45 * MB // 70) + "\n\n" + ARTICLE).encode(), "indexed"),
    "txt-first-line-9mb": ("a.txt", lambda: ("Banjir " * (9 * MB // 7) + "\n\n" + ARTICLE).encode(), "indexed"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_parser_bombs_are_refused_with_the_true_reason_or_read_with_a_bounded_title(name: str) -> None:
    key, make, expected = BOMBS[name]
    reason, result = _outcome(key, make())
    if expected == "indexed":
        assert reason == "indexed" and 0 < len(result.title) <= MAX_TITLE_CHARS
    elif expected:
        assert reason == expected, result
    else:  # any recorded skip but a timeout: the reader knew what it was refusing
        assert reason not in ("indexed", "too_slow"), result


def test_html_of_many_tags_just_under_the_attribute_bound_is_read() -> None:
    tags = "".join(f"<span {' '.join(f'a{n}=x' for n in range(250))}>kata</span>" for _ in range(200))
    page = f"<html><body><p>{ARTICLE}</p>{tags}</body></html>".encode()
    reason, article = _outcome("a.html", page)
    assert reason == "indexed" and "Banjir merendam" in article.body


def test_only_html_and_gzip_above_the_threshold_go_to_a_child_process() -> None:
    assert isolated("a.html", _stored(_attribute_bomb(64 * 1024)))
    assert isolated("a.html.gz", _stored(gzip.compress(_attribute_bomb(64 * 1024)) * 40))
    assert not isolated("a.html", _stored(b"<p>kecil</p>"))
    assert not isolated("a.txt", _stored(ARTICLE.encode() * 100))


def _libxml2_without_bounds() -> int:
    import lxml.html

    return len(lxml.html.document_fromstring(_attribute_bomb(3 * MB)))  # minutes of C code, no bound before it


def test_the_child_is_stopped_at_its_budget_even_inside_c_code() -> None:
    started = time.monotonic()
    with pytest.raises(TooSlow) as stopped:
        run_isolated(_libxml2_without_bounds, cpu_s=1.0, wall_s=30.0)
    assert time.monotonic() - started < 25  # in-process, the same parse runs to its end (minutes)
    assert stopped.value.reason == "too_slow" and "stopped after" in stopped.value.detail


def test_the_wall_fence_stops_a_child_that_gets_no_cpu() -> None:
    started = time.monotonic()
    with pytest.raises(TooSlow):
        run_isolated(lambda: time.sleep(60), cpu_s=5.0, wall_s=1.0)
    assert time.monotonic() - started < 10


def test_results_and_skips_come_back_from_the_child_as_raised() -> None:
    assert run_isolated(lambda: {"judul": "Banjir"}, cpu_s=2.0, wall_s=10.0) == {"judul": "Banjir"}

    def fails() -> None:
        raise ReaderFailed("html", ValueError("rusak"))

    with pytest.raises(ReaderFailed) as failed:
        run_isolated(fails, cpu_s=2.0, wall_s=10.0)
    assert failed.value.reason == "extraction_error" and failed.value.reader == "html"


def test_isolation_works_where_semaphores_do_not_exist() -> None:
    """Lambda has no /dev/shm: every multiprocessing lock, queue and pool fails there with ENOSYS."""

    def no_semaphores(*args: object, **kwargs: object) -> None:
        raise OSError(38, "Function not implemented")

    with mock.patch.object(multiprocessing.synchronize.SemLock, "__init__", no_semaphores):
        reason, _ = _outcome("a.html", _attribute_bomb(64 * 1024).replace(b"a1=", b"b="))
        assert reason == "parse_limit"
        page = f"<html><body><p>{ARTICLE}</p></body></html>".encode() * 100
        assert _outcome("a.html", page)[0] == "indexed"


ATTRIBUTE = st.sampled_from(['a="x"', "a=x", "a", "data-x='1 2'", 'style="color:red"', 'x=">"', "-", "on=1"])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    attributes=st.lists(ATTRIBUTE, min_size=1, max_size=4),
    count=st.integers(200, 60_000),
    tag=st.sampled_from(["div", "meta", "a", "p", "img", "title", "script"]),
    wrap=st.sampled_from(["{0}", "<!-- {0} -->", "<p>{0}</p>", "{0}{0}"]),
)
def test_fuzzed_attribute_bombs_are_refused_or_read_within_budget(
    attributes: list[str], count: int, tag: str, wrap: str
) -> None:
    inner = " ".join(attributes[n % len(attributes)] for n in range(count))
    page = "<html><body>" + wrap.format(f"<{tag} {inner}>kata</{tag}>") + f"<p>{ARTICLE}</p></body></html>"
    reason, _ = _outcome("a.html", page.encode())
    assert reason in ("indexed", "parse_limit", "no_article_text")


def _every_format() -> list[tuple[str, str]]:
    """(reader, key) for every registered reader; a container wraps an HTML page (its worst inner format)."""
    from docsearch.ingest.extract.readers import readers

    return [
        (reader.name, f"a.html.{reader.suffixes[0]}" if reader.name == "gzip" else f"a.{reader.suffixes[0]}")
        for reader in readers()
    ]


GENERIC_BOMBS: dict[str, Callable[[], bytes]] = {
    "one-tag-100k-attributes": lambda: _attribute_bomb(MB),
    "nested-100k-deep": lambda: b"<div>[{" * 100_000 + ARTICLE.encode(),
    "one-line-4mb": lambda: b"Banjir" + b"x" * (4 * MB) + b"\n\n" + ARTICLE.encode(),
}


@pytest.mark.parametrize("bomb", sorted(GENERIC_BOMBS))
@pytest.mark.parametrize(("reader", "key"), _every_format())
def test_every_reader_refuses_or_reads_every_bomb_within_its_budget(reader: str, key: str, bomb: str) -> None:
    """Readers added later are in this list by themselves (the registry is the list of modules)."""
    data = GENERIC_BOMBS[bomb]()
    if reader == "gzip":
        data = gzip.compress(data)
    started = time.process_time()
    reason, result = _outcome(key, data)
    assert reason != "too_slow", result
    if reason == "indexed":
        assert len(result.title) <= MAX_TITLE_CHARS
    assert time.process_time() - started < 10  # this process's own share, the child's is bounded by its limit


def test_a_title_with_control_characters_and_tags_is_read_not_refused() -> None:
    """lxml refuses a string holding a control character: such a title made the whole object an
    extraction_error (found by tests/e2e/test_cli_hostile_output.py)."""
    title = "Banjir \x1b[31mMERAH\x9b0m <script>x</script> <b>Bekasi</b>"
    data = json.dumps({"title": title, "body": ARTICLE + "\x1b[2J"}).encode()
    reason, article = _outcome("a.json", data)
    assert reason == "indexed" and article.title == "Banjir [31mMERAH0m Bekasi"
    page = f"<html><head><title>{title}</title></head><body><p>{ARTICLE}\x07</p></body></html>".encode()
    assert _outcome("a.html", page)[0] == "indexed"
