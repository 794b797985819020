"""Extraction in bounded time: adversarial inputs of a few MB and a fuzzer, per format, within the CPU
budget the ingest batch gives each object (about a second per MB); the time limit itself interrupts a
runaway regular expression."""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import time
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docsearch.ingest.extract.readers import gzip as gzip_reader
from docsearch.ingest.timelimit import TooSlow, cpu_time_limit, extraction_budget_s
from tests.unit.extraction import extract_within_budget

MB = 2**20
SIZE = MB


def _repeat(unit: str, size: int = SIZE) -> str:
    return unit * (size // len(unit))


# Each held a pattern that rescanned the rest of its line from every start (quadratic or worse):
# 64 KB of the first took 90 s.
ADVERSARIAL = {
    "md-emphasis": ("a.md", _repeat("*a")),
    "md-strong": ("a.md", _repeat("**a")),
    "md-underscore": ("a.md", _repeat("_a ")),
    "md-image": ("a.md", _repeat("![")),
    "md-link": ("a.md", _repeat("[a](")),
    "md-heading-spaces": ("a.md", "# " + _repeat(" ") + "x"),
    "md-heading-hashes": ("a.md", "# a" + _repeat("#") + "x"),
    "txt-byline-spaces": ("a.txt", "oleh: a" + _repeat(" ") + "b"),
    "txt-segment-spaces": ("a.txt", "Kompas" + _repeat(" ") + "x"),
    "txt-photo-credit": ("a.txt", "foto: " + _repeat(".") + "x"),
    "txt-stamp-commas": ("a.txt", _repeat("Harga naik 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1-")),
    "txt-inline-initials": ("a.txt", "Berita" + _repeat(" ") + "(ab"),
    "txt-stars": ("a.txt", "Berita " + _repeat("*") + "a"),
    "txt-dateline": ("a.txt", "JAKARTA" + _repeat(" ") + "x"),
    "json-tag-like-title": ("a.json", json.dumps({"title": "<" + _repeat(" ") + "0", "body": "Isi berita."})),
    "json-emphasis-body": ("a.json", json.dumps({"title": "Judul", "body": _repeat("*a")})),
    "html-title-separators": (
        "a.html",
        f"<html><head><title>a{_repeat(' ')}b</title></head><body><p>{'kata ' * 40}</p></body></html>",
    ),
    "html-nested": ("a.html", "<html><body>" + _repeat("<div><p>a ") + "</body></html>"),
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_inputs_of_a_few_mb_extract_within_their_budget(name: str) -> None:
    key, text = ADVERSARIAL[name]
    extract_within_budget(text.encode(), key)


@pytest.mark.parametrize("unit", ["a\n"])
def test_an_object_past_its_budget_stops_there(unit: str) -> None:
    """Half a million one-word lines per MB cost tens of microseconds each: linear, but more than a
    second per MB; such an object is stopped at its budget (and skipped by the batch), never run out."""
    data = _repeat(unit, MB).encode()
    budget = extraction_budget_s(len(data))
    started = time.process_time()
    with contextlib.suppress(TooSlow):
        extract_within_budget(data, "a.txt")
    assert time.process_time() - started < budget + 0.5


# Characters the patterns give meaning to, and words they look for.
SPECIAL = [*"*_[]()!#<>-|/:.,;`'\"&?~= \t\n", "\u2014", "\u00a0", "\u200b", "1", "a", "A", "é"]
WORDS = ["oleh", "Penulis:", "foto:", "Baca juga", "JAKARTA", "20 Juni 2024", "12:30 WIB", "http://", "(ant)"]
UNITS = st.lists(st.sampled_from(SPECIAL + WORDS), min_size=1, max_size=6).map("".join)
FUZZ_BYTES = 48 * 1024


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A short article-like head, then a few units repeated to tens of KB (where super-linear costs show)."""
    head = draw(st.lists(UNITS, max_size=8))
    units = draw(st.lists(UNITS, min_size=1, max_size=3))
    body = "".join(_repeat(unit, FUZZ_BYTES // len(units)) for unit in units)
    return "\n".join(head) + "\n" + body


FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("key", ["a.txt", "a.md"])
@FUZZ
@given(text=documents())
def test_fuzzed_text_and_markdown_extract_within_budget_or_skip(key: str, text: str) -> None:
    extract_within_budget(text.encode(), key)


@FUZZ
@given(text=documents(), tag=st.sampled_from(["p", "div", "h1", "title", "li", "a", "script"]))
def test_fuzzed_html_extracts_within_budget_or_skips(text: str, tag: str) -> None:
    page = f"<html><head><title>{text[:200]}</title></head><body><{tag}>{text}</{tag}><p>{text}</p></body></html>"
    extract_within_budget(page.encode(), "a.html")


@FUZZ
@given(title=documents(), body=documents(), extra=st.dictionaries(st.sampled_from(["source", "author"]), UNITS))
def test_fuzzed_json_extracts_within_budget_or_skips(title: str, body: str, extra: dict[str, str]) -> None:
    extract_within_budget(json.dumps({"title": title, "body": body, **extra}).encode(), "a.json")


@FUZZ
@given(text=documents(), key=st.sampled_from(["a.txt.gz", "a.md.gz", "a.html.gz"]))
def test_fuzzed_gzip_extracts_within_the_budget_of_its_compressed_size_or_skips(text: str, key: str) -> None:
    """The batch budgets an object by its stored size: for a .gz, the compressed one (these fuzzed pages repeat
    a few units, so they pack past the ratio cap: lifted here, so the inner readers run on every one)."""
    page = f"<html><body><p>{text}</p></body></html>" if key == "a.html.gz" else text
    with mock.patch.object(gzip_reader, "MAX_RATIO", 10**6):
        extract_within_budget(gzip.compress(page.encode()), key)


def test_the_limit_interrupts_a_runaway_regular_expression() -> None:
    catastrophic = re.compile(r"^(a+)+$")  # exponential on "aaa...b"
    with pytest.raises(TooSlow) as raised, cpu_time_limit(0.2):
        catastrophic.match("a" * 40 + "b")
    assert raised.value.reason == "too_slow"


def test_the_budget_is_about_a_second_per_mb() -> None:
    assert extraction_budget_s(0) == pytest.approx(1.0)
    assert extraction_budget_s(10 * MB) == pytest.approx(11.0)
