import pytest

from docsearch.ingest.extract.dates import has_trailing_timestamp, is_timestamp, parse_iso_date


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Kamis, 20 Juni 2024 - 19:19 WIB", "2024-06-20"),
        ("KAMIS, 20 JUNI 2024 | 11:34 WIB", "2024-06-20"),
        ("Selasa, 11 Mar 2025 09:20 WIB", "2025-03-11"),
        ("20/6/2024", "2024-06-20"),
        ("Rabu (19/6/2024) malam", "2024-06-19"),
        ("Jumat, 5 Agt 2022, 07.15 WITA", "2022-08-05"),
        ("1 Mei 2023", "2023-05-01"),
        ("2025-01-11T18:25:00+07:00", "2025-01-11"),
        ("Senin, 02 Desember 2024", "2024-12-02"),
    ],
)
def test_indonesian_formats_become_iso_dates(text: str, iso: str) -> None:
    assert parse_iso_date(text) == iso


@pytest.mark.parametrize("text", ["31/2/2024", "Rabu (20/6)", "tahun 2024", "Juni 2024", ""])
def test_incomplete_or_impossible_dates_are_none(text: str) -> None:
    assert parse_iso_date(text) is None


def test_timestamp_lines_and_list_items() -> None:
    assert is_timestamp("Kamis, 05 Februari 2026 | 18:01")
    assert is_timestamp("3 jam yang lalu")
    assert not is_timestamp("Rapat digelar Kamis, 05 Februari 2026")
    assert has_trailing_timestamp("Harga Emas Naik Lagi - 19 Juni 2024, 08:15 WIB")
    assert has_trailing_timestamp("- Tips Menabung Emas untuk Anak Muda (19 Juli 2024)")
    assert not has_trailing_timestamp("Pakta itu diteken di Pyongyang, Rabu (19/6/2024).")
    assert not has_trailing_timestamp("Pakta itu diteken di Pyongyang, Rabu (19/6/2024)")
