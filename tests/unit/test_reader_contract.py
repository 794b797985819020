"""Every registered reader answers the whole Reader protocol (a method outside its class went unnoticed:
`docsearch smoke`'s JSON probe found it, as an AttributeError on every .json batch)."""

from __future__ import annotations

import pytest

from docsearch.ingest.extract.readers import ReadLimits, readers, unpacked_bound
from docsearch.ingest.extract.readers.base import Reader


@pytest.mark.parametrize("reader", readers(), ids=lambda r: r.name)
def test_every_reader_has_every_protocol_method(reader: Reader) -> None:
    for method in ("detect", "read", "unpacked_bound"):
        assert callable(getattr(reader, method, None)), f"{reader.name} has no {method}"
    assert reader.unpacked_bound(1000, ReadLimits()) >= 1000  # what a plain format stores is what it reads


def test_a_json_key_is_bounded_by_its_size() -> None:
    assert unpacked_bound("berita/a.json", 4096) == 4096
