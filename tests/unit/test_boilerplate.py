"""Each boilerplate family on lines written for this test; prose that looks similar stays."""

import pytest

from docsearch.ingest.extract.boilerplate import clean_lines, family_of, label_lines


@pytest.mark.parametrize(
    ("line", "family"),
    [
        ("Baca Juga: Harga Cabai Naik Lagi Jelang Lebaran", "related"),
        ("BACA JUGA: Harga Cabai Naik Lagi Jelang Lebaran", "related"),
        ("Baca Juga :   Polisi Tangkap Pencuri Motor", "related"),
        ("**Baca juga:** Tips Memilih Sepatu Lari", "related"),
        ("Artikel Terkait: Daftar Sekolah Favorit", "related"),
        ("Berita Terkait", "related"),
        ("ADVERTISEMENT", "advert"),
        ("Scroll to continue with content", "advert"),
        ("Scroll untuk melanjutkan membaca", "advert"),
        ("Tulis komentar anda", "comment"),
        ("tulis komentar anda", "comment"),
        ("Leave a Reply", "comment"),
        ("Leave a Comment", "comment"),
        ("Your email address will not be published. Required fields are marked *", "comment"),
        ("Komentar (0) — Jadilah yang pertama berkomentar.", "comment"),
        ("Simak berita dan artikel lainnya di Google News", "share"),
        ("Ikuti saluran WhatsApp kami untuk kabar terbaru", "share"),
        ("Simak breaking news dan berita pilihan kami langsung di ponselmu.", "share"),
        ("Bagikan: Facebook | X | WhatsApp | Salin Tautan", "share"),
        ("Artikel ini telah tayang di contohkabar.id dengan judul Banjir Lagi", "syndication"),
        ("Foto/AP", "photo"),
        ("FOTO: ANTARA/Budi Santoso", "photo"),
        ("Foto: Dok. Dinkes", "photo"),
        ("Reuters", "photo"),
        ("Penulis: Rina Marlina | Editor: Joko Susilo", "byline"),
        ("(rdn/ahm)", "initials"),
        ("(ahm)", "initials"),
        ("***", "initials"),
    ],
)
def test_each_family_claims_its_lines(line: str, family: str) -> None:
    assert family_of(line) == family


@pytest.mark.parametrize(
    "line",
    [
        "Komentar tersebut disampaikan setelah rapat koordinasi di Jakarta.",
        "Komisi Pemberantasan Korupsi (KPK)",
        "Warga diminta membaca juga petunjuk evakuasi yang dibagikan petugas di posko.",
        "Ia mengaku sudah tiga kali mengungsi sejak awal tahun.",
        "Simak berita terkini soal banjir: warga diminta mengungsi sebelum air naik lagi malam ini.",
        "Foto-foto kerusakan itu beredar luas di media sosial sejak pagi, menurut warga setempat.",
    ],
)
def test_prose_that_looks_like_boilerplate_stays(line: str) -> None:
    assert family_of(line) is None


@pytest.mark.parametrize(
    ("caption", "kept"),
    [
        (
            "Wali kota meninjau tanggul yang jebol di Bojonegoro, Selasa (4/3/2025). FOTO: AFP",
            "Wali kota meninjau tanggul yang jebol di Bojonegoro, Selasa (4/3/2025).",
        ),
        (
            "Nelayan menurunkan hasil tangkapan di Pelabuhan Sibolga, Senin (3/3/2025). Foto: ANTARA/Rudi Hartono",
            "Nelayan menurunkan hasil tangkapan di Pelabuhan Sibolga, Senin (3/3/2025).",
        ),
        (
            "Presiden menyapa warga di alun-alun Kota Ternate, Rabu, 19 Juni 2024/Net",
            "Presiden menyapa warga di alun-alun Kota Ternate, Rabu, 19 Juni 2024",
        ),
        ("Petugas memadamkan api di Pasar Klewer (Foto: Istimewa)", "Petugas memadamkan api di Pasar Klewer"),
    ],
)
def test_photo_captions_lose_their_credit_not_their_words(caption: str, kept: str) -> None:
    assert family_of(caption) is None
    assert clean_lines([caption]) == [kept]


def test_trending_lists_headline_stamp_pairs_and_duplicates() -> None:
    lines = [
        "Paragraf pertama berita ini cukup panjang untuk disebut prosa yang sesungguhnya.",
        "",
        "Paragraf kedua juga cukup panjang dan berakhir dengan titik seperti biasa.",
        "Paragraf pertama berita ini cukup panjang untuk disebut prosa yang sesungguhnya.",
        "Terpopuler",
        "1. Ramalan Bintang Pekan Ini Bikin Penasaran - 19 Juni 2024, 08:15 WIB",
        "2. Resep Sambal Terasi Pedas - 18 Juni 2024, 22:30 WIB",
        "Mobil Listrik Murah Segera Meluncur",
        "",
        "Kamis, 05 Februari 2026 | 18:01",
        "UPDATE",
        "Penyanyi Dangdut Gelar Konser Amal",
        "Rabu, 04 Februari 2026 | 17:56",
    ]
    labels = label_lines(lines)
    assert labels[0] is None and labels[2] is None
    assert labels[3] == "duplicate"
    assert all(label in ("lists", "blank") for label in labels[4:])
    assert clean_lines(lines) == [lines[0], "", lines[2]]


def test_a_list_ends_at_the_next_paragraph_of_prose() -> None:
    lines = ["Populer", "Harga Emas Antam Naik", "Sidang dilanjutkan pekan depan dengan agenda pemeriksaan saksi."]
    assert label_lines(lines) == ["lists", "lists", None]


def test_inline_initials_are_cut_but_acronyms_stay() -> None:
    assert clean_lines(["Sidang ditunda hingga pekan depan. (rdn/ahm)"]) == ["Sidang ditunda hingga pekan depan."]
    assert clean_lines(["Jaksa dari Komisi Pemberantasan Korupsi (KPK)"]) == [
        "Jaksa dari Komisi Pemberantasan Korupsi (KPK)"
    ]
