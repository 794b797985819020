def test_titles_never_carry_markup() -> None:
    from docsearch.ingest.extract import extract_article

    txt = extract_article(b"<script>alert(1)</script> Judul <b>Tebal</b>\nIsi berita yang cukup panjang.", key="a.txt")
    assert txt.title == "Judul Tebal"
    js = extract_article(b'{"title": "<i>Miring</i><iframe src=x></iframe> Saja", "body": "Isi."}', key="a.json")
    assert js.title == "Miring Saja"
    meta = extract_article(b"Judul\nIsi.", {"title": "<svg onload=x()>Dari Metadata"}, key="a.txt")
    assert meta.title == "Dari Metadata"
