"""Old binary Word (``.doc``, Word 97-2003): recognised, never read, skipped with a reason that says why.

No library for the OLE2 format fits the layer (and its macros and embedded objects are not a risk worth
parsing); naming the format makes the skip say what the file is and what to do, where an unknown
extension would only say "unsupported".
"""

from __future__ import annotations

from docsearch.ingest.extract.errors import Unindexable
from docsearch.ingest.extract.readers.base import Reading, ReadLimits

OLE2_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")  # Compound File Binary: .doc, .xls, .ppt, .msg alike


class OldWordReader:
    name = "doc"
    suffixes = ("doc", "dot")
    content_types = ("application/msword",)
    upload_type = "application/msword"
    imports_on_first_use: tuple[str, ...] = ()

    def detect(self, key: str, head: bytes) -> bool:
        return False  # the OLE2 signature is shared with .xls and .ppt: only the name or type says .doc

    def unpacked_bound(self, size: int, limits: ReadLimits) -> int:
        return size  # never unpacked: refused as it is

    def read(self, data: bytes, key: str, limits: ReadLimits) -> Reading:
        raise Unindexable("unsupported_format", "old binary Word (.doc) is not read: save it as .docx or PDF")


READER = OldWordReader()
