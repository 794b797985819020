import pytest

from docsearch.extract import Unindexable, extract_article


def test_first_line_is_title_and_metadata_overrides() -> None:
    article = extract_article("\ufeffJudul Berita\n\nIsi berita pertama.\nIsi kedua.".encode(), {"source": "contoh.id"})
    assert article.title == "Judul Berita"
    assert article.body == "Isi berita pertama.\nIsi kedua."
    assert article.source == "contoh.id"


@pytest.mark.parametrize("data", [b"", b"   \n", b"\xff\xfe\x00\x00binary"])
def test_unindexable_objects_raise(data: bytes) -> None:
    with pytest.raises(Unindexable):
        extract_article(data)
