"""The gzip reader: the name inside decides the format; unpacking is bounded in size, ratio and memory."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docsearch.ingest.extract import ReadOptions, Unindexable, extract_article, read_article
from docsearch.ingest.extract.readers.base import ReadLimits
from docsearch.ingest.extract.readers.gzip import MAX_RATIO, STEP_BYTES, gunzip, inner_name

MB = 2**20
PAGE = (
    "<html><head><title>Banjir Rendam Tiga Kecamatan - Warta</title>"
    '<meta property="og:site_name" content="Warta"></head><body><article>'
    "<p>JAKARTA - Banjir merendam tiga kecamatan di Jakarta Timur pada Senin pagi setelah hujan deras "
    "mengguyur sejak Minggu malam, kata petugas penanggulangan bencana setempat kepada wartawan.</p>"
    "<p>Warga mengungsi ke masjid dan sekolah terdekat sambil menunggu air surut pada sore hari.</p>"
    "</article></body></html>"
)


def _skip_reason(data: bytes, key: str, options: ReadOptions | None = None) -> str:
    with pytest.raises(Unindexable) as raised:
        read_article(data, key=key, options=options)
    return raised.value.reason


def test_a_gzipped_page_is_read_as_the_html_inside() -> None:
    article = extract_article(gzip.compress(PAGE.encode()), key="warta/banjir.html.GZ", content_type="application/gzip")
    assert article.title == "Banjir Rendam Tiga Kecamatan"
    assert article.format == "html" and article.source == "Warta"
    assert article.body.startswith("Banjir merendam tiga kecamatan")


def test_every_member_is_read_and_zero_padding_after_the_last_is_ignored() -> None:
    text = "Judul Dua Bagian\n\nBagian pertama berita ini.\nBagian kedua berita ini."
    first, second = text[:30].encode(), text[30:].encode()
    article = extract_article(gzip.compress(first) + gzip.compress(second) + b"\x00" * 8, key="a.txt.gz")
    assert article.title == "Judul Dua Bagian" and "Bagian kedua" in article.body


@pytest.mark.parametrize(
    ("key", "inner"),
    [("a/b.html.gz", "a/b.html"), ("a/b.json.gzip", "a/b.json"), ("a/b.gz", "a/b"), ("a.b/c", "a.b/c"), (".gz", ".gz")],
)
def test_the_inner_name_drops_the_gzip_extension(key: str, inner: str) -> None:
    assert inner_name(key) == inner


@pytest.mark.parametrize(
    ("data", "key", "reason"),
    [
        (gzip.compress(b"PK\x03\x04 ..."), "laporan.xlsx.gz", "unsupported_format"),  # no reader for what is inside
        (gzip.compress(b"Judul\nIsi"), "arsip.gz", "unsupported_format"),  # nothing names the inner format
        (gzip.compress(gzip.compress(b"Judul\nIsi")), "a.txt.gz.gz", "unsupported_format"),  # gzip inside gzip
        (gzip.compress(b"\x89PNG\r\n\x1a\n\x00\x00"), "foto.txt.gz", "binary"),  # the inner reader decides
        (gzip.compress(PAGE.encode())[:40], "a.html.gz", "invalid_gzip"),  # cut short
        (b"\x1f\x8b\x08\x00garbage that is no deflate stream", "a.html.gz", "invalid_gzip"),
        (b"", "a.txt.gz", "invalid_gzip"),
    ],
)
def test_what_cannot_be_unpacked_or_read_is_skipped_with_its_reason(data: bytes, key: str, reason: str) -> None:
    assert _skip_reason(data, key) == reason


def test_a_bomb_is_skipped_as_too_large_holding_no_more_than_the_object_limit() -> None:
    limit = 8 * MB
    bomb = gzip.compress(b"\x00" * (256 * MB), 9)  # 256 MiB of zeros in 255 KiB
    tracemalloc.start()
    try:
        reason = _skip_reason(bomb, "bom.txt.gz", ReadOptions(limits=ReadLimits(max_bytes=limit)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reason == "too_large"
    assert peak < 2 * (limit + STEP_BYTES)  # the unpacked bytes up to the limit, and one step past it


def test_past_the_ratio_a_small_object_stops_unpacking_long_before_the_size_limit() -> None:
    packed = gzip.compress(b"Judul\n" + b"a" * (MAX_RATIO * 5000))  # about 500 KB in well under 5 KB
    assert _skip_reason(packed, "a.txt.gz") == "too_large"  # the default limit (10 MB) is far away
    with pytest.raises(Unindexable, match=f"past {len(packed) * MAX_RATIO} bytes"):
        read_article(packed, key="a.txt.gz")


def test_the_object_limit_applies_to_the_unpacked_bytes() -> None:
    text = ("Judul Berita\n\n" + "Kalimat berita ke-%d yang berbeda isinya.\n" * 2000 % tuple(range(2000))).encode()
    packed = gzip.compress(text)
    assert len(packed) < len(text) // 3  # the object itself is well within the limit
    small = ReadOptions(limits=ReadLimits(max_bytes=len(text) - 1))
    assert _skip_reason(packed, "a.txt.gz", small) == "too_large"
    assert read_article(packed, key="a.txt.gz", options=ReadOptions(limits=ReadLimits(max_bytes=len(text)))).title


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMATS = st.sampled_from(["a.txt.gz", "a.md.gz", "a.html.gz", "a.json.gz", "a.gz", "a.gz.gz"])


@FUZZ
@given(
    body=st.binary(max_size=4096) | st.text(max_size=2048).map(str.encode),
    key=FORMATS,
    cut=st.integers(min_value=0, max_value=4096),
    flip=st.integers(min_value=0, max_value=4095),
    level=st.integers(min_value=0, max_value=9),
)
def test_fuzzed_gzip_reads_or_skips_with_a_reason(body: bytes, key: str, cut: int, flip: int, level: int) -> None:
    """Compressed anything, cut short or with a byte flipped: an article or a named skip, nothing else."""
    packed = bytearray(gzip.compress(body, level))
    if flip < len(packed):
        packed[flip] ^= 0xFF
    data = bytes(packed[: max(cut, 2)] if cut < len(packed) else packed)
    try:
        article = read_article(data, key=key, options=ReadOptions(limits=ReadLimits(max_bytes=64 * 1024)))
    except Unindexable as error:
        assert error.reason and " " not in error.reason
    else:
        assert article.title or article.body


@FUZZ
@given(chunks=st.lists(st.binary(min_size=1, max_size=512), min_size=1, max_size=8))
def test_fuzzed_raw_deflate_streams_never_escape_as_zlib_errors(chunks: list[bytes]) -> None:
    data = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + zlib.compress(b"".join(chunks))[2:]
    try:
        gunzip(data, 64 * 1024)
    except Unindexable as error:
        assert error.reason in ("invalid_gzip", "too_large")


def test_streams_longer_than_an_input_step_and_many_tiny_members_unpack_whole() -> None:
    import os

    noise = os.urandom(300 * 1024)  # incompressible: the stream spans several input steps
    assert gunzip(gzip.compress(noise), len(noise)) == noise
    members = gzip.compress(b"") * 50_000 + gzip.compress(b"Judul\nIsi berita.")  # 1 MB of empty members
    assert gunzip(members, MB) == b"Judul\nIsi berita."
    with pytest.raises(Unindexable, match="no gzip stream"):
        gunzip(b"\x00" * 100, MB)
