"""Paragraph fingerprints: copies of a story share them whatever their case, accents or punctuation."""

import unicodedata

from docsearch.ingest.extract.metadata import web_address
from docsearch.ingest.fingerprint import MIN_PARAGRAPH_WORDS, _fold, own_story, paragraph_hashes, same_story

STORY = [
    "Pemerintah kota membuka tiga posko pengungsian baru bagi warga yang rumahnya terendam banjir.",
    "Petugas gabungan mengevakuasi lebih dari dua ratus warga lanjut usia dan anak-anak sejak pagi.",
    "Kepala dinas sosial mengatakan bantuan makanan siap pakai cukup untuk satu minggu ke depan.",
]


def test_copies_hash_alike_whatever_their_case_accents_and_punctuation() -> None:
    copy = [STORY[0].upper(), STORY[1].replace("-", " ").replace(".", " !"), STORY[2].replace("e", "é")]
    assert paragraph_hashes("\n".join(STORY)) == paragraph_hashes("\n".join(copy))
    assert len(paragraph_hashes("\n".join(STORY))) == 3


def test_short_lines_and_repeats_are_not_fingerprinted() -> None:
    short = " ".join(["kata"] * (MIN_PARAGRAPH_WORDS - 1))
    assert paragraph_hashes(f"{short}\n\n{STORY[0]}\n{STORY[0]}") == paragraph_hashes(STORY[0])


def test_same_story_needs_whole_shared_paragraphs() -> None:
    a, b, c = (paragraph_hashes(p) for p in STORY)
    other = paragraph_hashes("Harga cabai rawit di pasar induk naik dua kali lipat dalam sepekan terakhir ini.")
    assert same_story(a + b + c, a + b + other)  # a syndicated copy with a local paragraph
    assert same_story(a + b + c, b + c)  # a copy that lost its lead
    assert not same_story(a + b + c, a + other)  # one shared paragraph (a quote) is not a copy
    assert not same_story(a + b, [])
    assert same_story(a, a)


def test_a_follow_up_sharing_background_is_not_a_copy() -> None:
    lead, other_lead, background, statement = ["l1"], ["l2"], ["b1", "b2"], ["s1"]
    report = lead + background + ["r1"]
    follow_up = other_lead + background + statement  # another commission's statement on the same death
    assert not same_story(report, follow_up)
    assert own_story(report, "r") != own_story(follow_up, "f")
    retitled = ["x0", "c1", "c2", "c3"]  # an outlet rewrote the lead, kept the rest
    assert same_story(["y0", "c1", "c2", "c3"], retitled)
    assert same_story(report, report[1:])  # a copy that lost its lead: all it keeps is shared


def test_only_absolute_web_addresses_are_kept() -> None:
    assert web_address(" https://kabarpagi.id/berita/1 ") == "https://kabarpagi.id/berita/1"
    for bad in (
        "javascript:alert(1)",
        "/berita/1",
        "http://",
        'https://x.id/"><script>',
        "http://[::1",
        "ftp://x.id/a",
    ):
        assert web_address(bad) is None, bad


def test_copies_without_each_other_still_share_a_story_but_a_shared_quote_does_not() -> None:
    whole = paragraph_hashes("\n".join(STORY))
    extra = paragraph_hashes(
        "\n".join([*STORY, "Pemerintah daerah menetapkan status tanggap darurat selama dua pekan."])
    )
    assert own_story(whole, "a") == own_story(paragraph_hashes("\n".join(STORY).upper()), "b")
    quote = paragraph_hashes(
        STORY[0] + "\nHarga cabai rawit di pasar induk naik dua kali lipat dalam sepekan terakhir."
    )
    assert own_story(quote, "q") not in {own_story(whole, "a"), own_story(extra, "e")}
    assert own_story([], "id-of-a-short-note") == "id-of-a-short-note"


def test_syndicated_copies_of_the_samples_are_grouped_and_distinct_articles_are_not() -> None:
    from eval.duplicates import measure

    rows, distinct = measure(None)
    assert all(row["copies"] == row["grouped via the index"] == 12 for row in rows.values()), rows
    assert distinct["distinct pairs grouped via the index"] == distinct["distinct documents sharing an own story"] == 0


def test_folding_takes_the_ascii_shortcut_without_changing_any_hash() -> None:
    """An ASCII line is only lower-cased; any other goes through NFKD and loses its combining marks, so
    hashes stored before the shortcut still match (the same fold as the character-by-character one)."""
    lines = ["Jakarta, KOMPAS.com - Harga Cabai", "Crème brûlée ÉTÉ ﬁnal Straße İstanbul ǅ", "Ōsaka “kutipan” — naïve"]
    lines += ["".join(chr(c) for c in range(start, start + 40)) for start in range(0x80, 0x3000, 40)]
    for line in lines:
        slow = "".join(ch for ch in unicodedata.normalize("NFKD", line.casefold()) if not unicodedata.combining(ch))
        assert _fold(line) == slow, line
