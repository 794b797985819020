"""Word (``.docx``): the main document part of the package, paragraph by paragraph.

A .docx is a zip of XML parts. The body is the part ``_rels/.rels`` names (``word/document.xml``);
running headers, footers, footnotes and comments live in parts of their own and are never read. Inside
the body, text boxes (where Word puts most captions) and the fallback copy of drawings are skipped, and
paragraphs in a caption style are left out; a Title or first Heading 1 paragraph is the headline when
the core properties (``docProps/core.xml``: title, creator, created) name no title. Soft hyphens go.

Bounds: the stdlib's zip reader streams each part through lxml's incremental parser (entities never
resolved, no network, no DTD), so memory holds one paragraph, not the part; a part that unpacks past
``XML_PER_TEXT_BYTE`` times the object size limit, or text past that limit, is ``too_large`` (a zip
bomb stops there). A package that is no zip or has no body is ``invalid_docx``. ``.doc`` (the binary
Word format before 2007) is refused as ``unsupported_format`` by the ``doc`` reader beside this one.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from docsearch.ingest.extract.body import clean_text
from docsearch.ingest.extract.dates import parse_iso_date
from docsearch.ingest.extract.errors import Unindexable
from docsearch.ingest.extract.metadata import TextMeta
from docsearch.ingest.extract.readers.base import Reading, ReadLimits
from docsearch.text import normalize_text

if TYPE_CHECKING:
    from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
OFFICE_DOCUMENT = "/officeDocument"  # the end of the relationship type that names the body part
DEFAULT_BODY = "word/document.xml"
# WordprocessingML is verbose: our fixtures' document.xml holds 8-9 bytes of XML per character of text
# (Word adds revision ids and run properties to every run; python-docx's bare paragraphs hold 1.1). 20
# bytes per byte of the object size limit (200 MB of XML for 10 MB) leaves room for heavy formatting and
# stops a bomb long before its gigabytes, while streaming keeps memory at one paragraph.
XML_PER_TEXT_BYTE = 20
OLE2_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP_ENCRYPTED = 0x1  # general purpose bit 0 of a zip entry
# What a .docx counts as for the batch's memory and CPU budgets: text-heavy packages unpack about 8 times
# (3,000 paragraphs: 0.14 MB -> 1.09 MB of document.xml, read in 0.15 s of CPU); 10 times covers that.
UNPACK_RATIO = 10
SMALL_PART_BYTES = 4 * 2**20  # styles, core properties, relationships: tens of KB in practice
# What a damaged package raises while being read (lxml passes its stream's errors through).
# (RuntimeError is left out: it is RecursionError's base, and an encrypted zip entry is checked before.)
PACKAGE_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError, ValueError)
SKIPPED_CONTAINERS = frozenset({f"{W}txbxContent", MC_FALLBACK})  # text boxes; drawings' second copy
# Style names are Word's built-in English ones whatever the user interface language (styles.xml w:name).
CAPTION_STYLE = re.compile(r"^(?:caption|keterangan)", re.IGNORECASE)
HEADLINE_STYLE = re.compile(r"^(?:title|heading 1|judul)$", re.IGNORECASE)
# A headline runs to at most 25 words (metadata.TITLE_MAX_WORDS): 300 characters hold that (as for PDF).
MAX_TITLE_CHARS = 300
PLACEHOLDER_AUTHOR = re.compile(r"^(?:python-docx|windows user|user|admin(?:istrator)?|microsoft office user)$", re.I)


class WordReader:
    name = "docx"
    suffixes = ("docx",)
    content_types = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
    upload_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    imports_on_first_use = ("lxml.etree",)

    def detect(self, key: str, head: bytes) -> bool:
        return False  # a zip's first bytes do not say docx from xlsx or odt: only the name or type does

    def unpacked_bound(self, size: int, limits: ReadLimits) -> int:
        return min(limits.max_bytes, max(size, 1) * UNPACK_RATIO)

    def read(self, data: bytes, key: str, limits: ReadLimits) -> Reading:
        if data.startswith(OLE2_SIGNATURE):  # what Word writes for "Encrypt with Password"
            raise Unindexable("encrypted", "an OLE2 container: a password-protected Word file (or a renamed .doc)")
        try:
            package = zipfile.ZipFile(io.BytesIO(data))
        except PACKAGE_ERRORS as error:
            raise Unindexable("invalid_docx", f"not a zip package: {error}") from error
        with package:
            part = Part(package, limits)
            styles = part.style_names()
            core = part.core_properties()
            paragraphs = list(part.paragraphs(_body_name(part), styles, limits))
        headline = next((text for style, text in paragraphs if HEADLINE_STYLE.match(style)), None)
        body = [text for style, text in paragraphs if not CAPTION_STYLE.match(style) and text != headline]
        meta = TextMeta(title=core.get("title") or headline, author=core.get("author"))
        meta.published_at = core.get("date")
        return Reading(clean_text(body, meta, title_known=meta.title is not None), self.name, meta)


class Part:
    """Parts of one package, each read through a size cap."""

    def __init__(self, package: zipfile.ZipFile, limits: ReadLimits) -> None:
        self.package = package
        self.limits = limits

    def open(self, name: str, cap: int) -> CappedStream | None:
        try:
            info = self.package.getinfo(name)
        except KeyError:
            return None
        if info.flag_bits & ZIP_ENCRYPTED:
            raise Unindexable("encrypted", f"{name} is encrypted")
        if info.file_size > cap:
            raise Unindexable("too_large", f"{name} unpacks to {info.file_size} bytes; at most {cap} are read")
        try:
            return CappedStream(self.package.open(info), cap, name)
        except PACKAGE_ERRORS as error:
            raise Unindexable("invalid_docx", f"{name}: {error}") from error

    def small_tree(self, name: str) -> etree._Element | None:
        from lxml import etree

        stream = self.open(name, SMALL_PART_BYTES)
        if stream is None:
            return None
        with stream:
            try:
                return etree.parse(stream, _parser()).getroot()
            except (etree.XMLSyntaxError, *PACKAGE_ERRORS) as error:
                raise Unindexable("invalid_docx", f"{name}: {error}") from error

    def style_names(self) -> dict[str, str]:
        root = self.small_tree("word/styles.xml")
        if root is None:
            return {}
        names: dict[str, str] = {}
        for style in root.iter(f"{W}style"):
            name = style.find(f"{W}name")
            if name is not None:
                names[style.get(f"{W}styleId", "")] = name.get(f"{W}val", "")
        return names

    def core_properties(self) -> dict[str, str]:
        root = self.small_tree("docProps/core.xml")
        if root is None:
            return {}
        found: dict[str, str] = {}
        title = " ".join(root.findtext(f"{DC}title", "").split())[:MAX_TITLE_CHARS]
        author = " ".join(root.findtext(f"{DC}creator", "").split())
        date = parse_iso_date(root.findtext(f"{DCTERMS}created", "").strip()[:10])
        if title:
            found["title"] = normalize_text(title)
        if author and not PLACEHOLDER_AUTHOR.match(author):
            found["author"] = normalize_text(author)
        if date:
            found["date"] = date
        return found

    def paragraphs(self, name: str, styles: dict[str, str], limits: ReadLimits) -> Iterator[tuple[str, str]]:
        """(style name, text) of each paragraph of the body, text boxes and drawings' copies skipped."""
        from lxml import etree

        stream = self.open(name, limits.max_bytes * XML_PER_TEXT_BYTE)
        if stream is None:
            raise Unindexable("invalid_docx", f"no {name}: not a Word document")
        chars = 0
        with stream:
            try:
                for _, element in etree.iterparse(stream, events=("end",), tag=f"{W}p", **_PARSER_OPTIONS):
                    if not _skipped(element):
                        text = _text(element)
                        chars += len(text)
                        if chars > limits.max_bytes:
                            raise Unindexable("too_large", f"more than {limits.max_bytes} characters of text")
                        yield styles.get(_style_id(element), _style_id(element)), text
                        _forget(element)
            except (etree.XMLSyntaxError, *PACKAGE_ERRORS) as error:
                raise Unindexable("invalid_docx", f"{name}: {error}") from error


class CappedStream(io.RawIOBase):
    """A part's stream that raises ``too_large`` once more than ``cap`` bytes come out of it (the size a
    zip declares may lie)."""

    def __init__(self, raw: IO[bytes], cap: int, name: str) -> None:
        self.raw, self.cap, self.name, self.seen = raw, cap, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.raw.read(len(buffer))
        self.seen += len(chunk)
        if self.seen > self.cap:
            raise Unindexable("too_large", f"{self.name} unpacks past {self.cap} bytes")
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self.raw.close()
        super().close()


_PARSER_OPTIONS: dict[str, Any] = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def _parser() -> etree.XMLParser:
    from lxml import etree

    return etree.XMLParser(**_PARSER_OPTIONS)


def _body_name(part: Part) -> str:
    """The main document part, as the package's relationships name it."""
    root = part.small_tree("_rels/.rels")
    for relationship in root.iter(RELS) if root is not None else ():
        if relationship.get("Type", "").endswith(OFFICE_DOCUMENT):
            return relationship.get("Target", DEFAULT_BODY).lstrip("/")
    return DEFAULT_BODY


def _skipped(paragraph: etree._Element) -> bool:
    return any(ancestor.tag in SKIPPED_CONTAINERS for ancestor in paragraph.iterancestors())


def _style_id(paragraph: etree._Element) -> str:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return style.get(f"{W}val", "") if style is not None else ""


TEXT_OF = {f"{W}tab": " ", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


def _text(paragraph: etree._Element) -> str:
    parts: list[str] = []
    for node in paragraph.iter(f"{W}t", *TEXT_OF):
        if any(a.tag in SKIPPED_CONTAINERS for a in node.iterancestors() if a is not paragraph):
            continue
        parts.append(node.text or "" if node.tag == f"{W}t" else TEXT_OF[node.tag])
    return "".join(parts).replace("\u00ad", "").strip()


def _forget(paragraph: etree._Element) -> None:
    """Free what the parser built so far, so memory holds one paragraph at a time."""
    paragraph.clear(keep_tail=False)
    parent = paragraph.getparent()
    if parent is not None and parent.tag == f"{W}body":
        while paragraph.getprevious() is not None:
            del parent[0]


READER = WordReader()
