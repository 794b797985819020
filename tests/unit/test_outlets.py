"""One name per outlet: every spelling gives one key and one display name; folders are sources only if configured."""

import json
from importlib import resources

import pytest

from docsearch.outlets import display_name, source_from_key, source_key


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
    table = json.loads(resources.files("docsearch").joinpath("data/sources.json").read_text(encoding="utf-8"))
    for key in [*table["names"], *table["aliases"].values()]:
        assert source_key(display_name(key)) == key  # a displayed name filters back to its outlet


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
