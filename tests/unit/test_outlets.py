"""One name per outlet: every spelling gives one key and one display name; folders are sources only if configured."""

import json
from importlib import resources

import pytest

from docsearch.outlets import display_name, outlet_key, source_from_key, source_key


@pytest.mark.parametrize(
    "spelling",
    ["KOMPAS.com", "Kompas.com", "kompas.com", " kompas.com ", "www.Kompas.com", "https://kompas.com/", "Kompas"],
)
def test_every_spelling_of_an_outlet_is_one_key_and_one_display_name(spelling: str) -> None:
    assert source_key(spelling) == "kompas.com"
    assert display_name("kompas.com") == "Kompas.com"


def test_display_names_are_a_function_of_the_key_and_round_trip() -> None:
    assert display_name("kabarpagi.id") == "kabarpagi.id"
    assert display_name("suara merdeka") == "Suara Merdeka"
    assert source_key("SUARA   Merdeka") == "suara merdeka"
    assert source_key("Tempo, Jakarta") == "tempo, jakarta"  # commas are part of a name
    raw = json.loads(resources.files("docsearch").joinpath("data/sources.json").read_text(encoding="utf-8"))
    entries = [*raw["outlets"], *(c for outlet in raw["outlets"] for c in outlet.get("channels", []))]
    for entry in entries:
        key = source_key(entry["name"])
        assert key is not None and source_key(display_name(key)) == key  # a displayed name filters back
        assert all(source_key(alias) == key for alias in entry.get("aliases", []))


@pytest.mark.parametrize(
    ("spelling", "key", "outlet", "shown"),
    [
        ("detik", "detik.com", "detik.com", "detikcom"),
        ("https://www.detik.com/", "detik.com", "detik.com", "detikcom"),
        ("detikNews", "detiknews", "detik.com", "detikNews"),
        ("DETIKNEWS", "detiknews", "detik.com", "detikNews"),
        ("https://news.detik.com/berita/d-8171947/x", "detiknews", "detik.com", "detikNews"),
        ("https://www.detik.com/jabar/berita/d-1/x", "detikjabar", "detik.com", "detikJabar"),
        ("detik.com/jabar", "detikjabar", "detik.com", "detikJabar"),
        ("https://nasional.kompas.com/read/2025/05/28/x", "kompas.com", "kompas.com", "Kompas.com"),
        ("cnbcindonesia", "cnbcindonesia.com", "cnbcindonesia.com", "CNBC Indonesia"),
        ("https://jabar.tribunnews.com/2025/x", "tribunjabar.id", "tribunnews.com", "TribunJabar.id"),
        ("kabarpagi.id", "kabarpagi.id", "kabarpagi.id", "kabarpagi.id"),
    ],
)
def test_channels_belong_to_their_outlet_and_keep_the_brands_casing(
    spelling: str, key: str, outlet: str, shown: str
) -> None:
    assert source_key(spelling) == key
    assert outlet_key(key) == outlet
    assert display_name(key) == shown


@pytest.mark.parametrize("name", [None, "", "   ", "https://", "www."])
def test_no_name_is_no_source(name: str | None) -> None:
    assert source_key(name) is None


def test_a_folder_is_a_source_only_when_configured() -> None:
    assert source_from_key("kompas/2024/a.txt", ("kompas", "detik")) == "kompas"
    assert source_from_key("KOMPAS/a.txt", ("kompas/",)) == "KOMPAS"
    assert source_from_key("samples/a.txt", ("kompas",)) is None
    assert source_from_key("berita/a.txt", ()) is None
    assert source_from_key("a.txt", ("a.txt",)) is None


def test_a_source_that_looks_like_a_broken_address_is_no_outlet_and_no_crash() -> None:
    assert source_key("http://[kompas") is None  # urlsplit raises ValueError on the bracket
    assert source_key("https://www.kompas.com/berita") == source_key("kompas.com")
