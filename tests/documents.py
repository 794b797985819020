"""Hostile PDF and Word files built at test time (too big to commit), and the committed fixtures' path.

Each bomb is small on disk and huge once opened: a PDF of 10,000 empty pages, a PDF whose one page's
content stream unpacks to a gigabyte, a .docx whose document.xml unpacks to a gigabyte.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

DOCUMENTS = Path(__file__).parent / "fixtures" / "documents"
GIB = 2**30
# What the tests unpack: 25 times the default object size limit (10 MB), and a second to build.
BOMB_BYTES = 256 * 2**20


def fixture(name: str) -> bytes:
    return (DOCUMENTS / name).read_bytes()


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1; object 1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def page_count_bomb(pages: int = 10_000) -> bytes:
    """``pages`` empty pages in one flat page tree (about 50 bytes a page)."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    return pdf(objects)


def deflate_bomb(unpacked: int = GIB) -> bytes:
    """``unpacked`` bytes of spaces, deflated (about 1,000:1), in chunks so building it stays small."""
    packer = zlib.compressobj(9)
    chunk = b" " * 2**24
    out = bytearray()
    for _ in range(unpacked // len(chunk)):
        out += packer.compress(chunk)
    return bytes(out + packer.flush())


def stream_bomb(unpacked: int = GIB) -> bytes:
    """One page whose content stream unpacks to ``unpacked`` bytes (a few lines of text after them)."""
    packed = deflate_bomb(unpacked)
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        ]
    )


def docx_bomb(unpacked: int = GIB) -> bytes:
    """A .docx whose document.xml declares and holds ``unpacked`` bytes (spaces inside one w:t)."""
    template = io.BytesIO(fixture("tanpa-metadata.docx"))
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item))
        head = (
            b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
        )
        with target.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(head)
            chunk = b" " * 2**24
            for _ in range(unpacked // len(chunk)):
                part.write(chunk)
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()
