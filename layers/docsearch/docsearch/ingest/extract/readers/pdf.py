"""PDF (``.pdf``): the text layer read by pypdf, put in reading order by ``extract/pages.py``.

pypdf reports where each run of text is drawn; ``pages.read_pages`` orders columns, drops running
headers, page numbers and captions, and joins hyphenated words. Title, author and date come from the
document information dictionary where it has them (a producer's placeholder such as "Microsoft Word -
rilis.docx" is not a title); otherwise the first page's largest line is the title.

Bounds, besides the CPU budget every object gets (pypdf is pure Python, so the budget's signal reaches
it): at most ``MAX_PAGES`` pages (``too_many_pages``); every stream decoded to at most the object size
limit and the text to at most that too (``too_large``); pypdf's own caps on arrays, dictionaries, page
trees and decoding work. A PDF with no text at all is ``no_text_layer`` (a scan), one that needs a
password ``encrypted``, one pypdf cannot parse ``invalid_pdf``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from docsearch.ingest.extract.body import clean_text
from docsearch.ingest.extract.errors import Unindexable
from docsearch.ingest.extract.metadata import TextMeta
from docsearch.ingest.extract.pages import Box, Page, Span, read_pages
from docsearch.ingest.extract.readers.base import Reading, ReadLimits
from docsearch.text import normalize_text

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

# Press releases run to a few pages, annual reports to a few hundred. Reading costs about 6 ms of CPU a
# dense page here (1,000 pages of 50 lines, 1.54 MiB: 5.96 s, tracemalloc peak 61 MiB), within the 11 s
# budget such a file gets; a page-tree bomb (10,000 empty pages) stops on the tree's count after 0.06 s.
MAX_PAGES = 1000
# What a PDF counts as for the batch's memory and CPU budgets: its content streams unpack to 4.5 times
# the file (200 dense pages: 0.31 MB -> 1.44 MB, read in 1.24 s of CPU, 0.86 s per unpacked MB);
# 10 times the file gives a budget (1 s + 1 s per MB) about three times what that file takes.
UNPACK_RATIO = 10
# Producers' placeholders in the Title field: "Microsoft Word - rilis.docx", "Untitled", a file name.
PLACEHOLDER_TITLE = re.compile(r"^(?:microsoft \w+ - .*|untitled\d*|document\d*|.*\.(?:docx?|pdf|odt|rtf))$", re.I)
# A headline runs to at most 25 words (metadata.TITLE_MAX_WORDS): 300 characters hold that; a longer
# Title field is someone's abstract, kept only as far as a headline goes.
MAX_TITLE_CHARS = 300
PLACEHOLDER_AUTHOR = re.compile(r"^(?:windows user|user|admin(?:istrator)?|microsoft office user|owner)$", re.I)
SIGNATURE = b"%PDF-"
# pypdf counts the output of every filter of a stream as decoding work: a stream may chain a few (ASCII85
# then Flate is common); four filters' worth of the size cap, and no more, per stream.
DECODING_STEPS = 4


class PdfReaderOfArticles:
    name = "pdf"
    suffixes = ("pdf",)
    content_types = ("application/pdf", "application/x-pdf")
    upload_type = "application/pdf"
    # pypdf, and what it loads only when it decodes a stream and maps glyph names (measured: sys.modules
    # after reading the fixtures), so the layer build compiles them all.
    imports_on_first_use = ("pypdf", "pypdf.filters", "pypdf._codecs._codecs")

    def detect(self, key: str, head: bytes) -> bool:
        return SIGNATURE in head  # the header may follow a few bytes of junk (PDF 1.7, 7.5.2)

    def unpacked_bound(self, size: int, limits: ReadLimits) -> int:
        return min(limits.max_bytes, max(size, 1) * UNPACK_RATIO)

    def read(self, data: bytes, key: str, limits: ReadLimits) -> Reading:
        with _pypdf_errors(), _bounded(limits):
            document = _open(data)
            pages = list(_pages(document, limits))
            info = _information(document)
        if not any(page.spans for page in pages):
            images = sum(len(page.images) for page in pages)
            raise Unindexable("no_text_layer", f"{len(pages)} pages, {images} images and no text: a scan?")
        layout = read_pages(pages)
        meta = TextMeta(title=info.get("title") or layout.heading, author=info.get("author"))
        meta.published_at = info.get("date")
        # The headline printed on the first page is the title (or a shorter form of it), not body text.
        lines = [normalize_text(p) for p in layout.paragraphs if p != layout.heading]
        return Reading(clean_text(lines, meta, title_known=meta.title is not None), self.name, meta)


@contextmanager
def _bounded(limits: ReadLimits) -> Iterator[None]:
    """pypdf's decompression caps at the object size limit; never an outside program (jbig2dec)."""
    import pypdf

    cap = limits.max_bytes
    with pypdf.apply_configuration(
        maximum_declared_stream_length=cap,
        array_based_stream_maximum_output_length=cap,
        jbig2_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        zlib_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        stream_decoding_work_maximum_length=cap * DECODING_STEPS,
        image_maximum_buffer_size=cap,
        jbig2dec_binary=None,
        disable_legacy_handling=True,
    ):
        yield


@contextmanager
def _pypdf_errors() -> Iterator[None]:
    """What pypdf raises on a damaged or hostile file, as a skip reason.

    pypdf's failures on malformed input are not a closed set (a broken object table surfaces as
    KeyError, TypeError or ValueError from deep inside it), so every exception from this block is the
    file's fault except ours (Unindexable, the CPU limit's too_slow), the parse limit (RecursionError:
    ``parse_limit`` upstream) and MemoryError."""
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

    try:
        yield
    except (Unindexable, RecursionError, MemoryError):
        raise
    except FileNotDecryptedError as error:
        raise Unindexable("encrypted", f"needs a password: {error}") from error
    except DependencyError as error:  # AES needs the cryptography package, which the layer leaves out
        raise Unindexable("encrypted", f"an encryption the layer cannot open: {error}") from error
    except LimitReachedError as error:
        raise Unindexable("too_large", f"past a decoding limit: {error}") from error
    except Exception as error:  # see the docstring: any other failure is the file's
        raise Unindexable("invalid_pdf", f"{type(error).__name__}: {error}"[:300]) from error


def _open(data: bytes) -> PdfReader:
    from pypdf import PasswordType, PdfReader

    document = PdfReader(io.BytesIO(data), strict=False)
    # An owner password alone only restricts printing or copying: viewers open such files without one.
    if document.is_encrypted and document.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise Unindexable("encrypted", "needs a password to open")
    # The page tree's own count first (one number, no walk of the tree), then the pages found by walking it:
    # a tree may state fewer pages than it holds, and pypdf's walk is capped (page_tree_maximum_entries).
    tree: Any = document.root_object.get("/Pages")
    declared = tree.get_object().get("/Count", 0) if tree is not None else 0
    count = declared if isinstance(declared, int) and declared > MAX_PAGES else len(document.pages)
    if count > MAX_PAGES:
        raise Unindexable("too_many_pages", f"{count} pages; at most {MAX_PAGES} are read")
    return document


def _pages(document: PdfReader, limits: ReadLimits) -> Iterator[Page]:
    chars = 0
    for pdf_page in document.pages:
        page = _page(pdf_page)
        chars += sum(len(span.text) for span in page.spans)
        if chars > limits.max_bytes:
            raise Unindexable("too_large", f"more than {limits.max_bytes} characters of text")
        yield page


def _page(pdf_page: PageObject) -> Page:
    box = pdf_page.mediabox
    page = Page(width=float(box.width), height=float(box.height))
    left, bottom = float(box.left), float(box.bottom)
    images = _image_names(pdf_page)

    def on_text(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            x, y, scale = _place(tm, cm)
            page.spans.append(Span(x - left, y - bottom, abs(size * scale), text))

    def on_operator(operator: bytes, args: list[Any], cm: list[float], tm: list[float]) -> None:
        if operator == b"Do" and args and args[0] in images:
            xs, ys = (cm[4], cm[4] + cm[0]), (cm[5], cm[5] + cm[3])
            page.images.append(Box(min(xs) - left, min(ys) - bottom, max(xs) - left, max(ys) - bottom))

    _decode_contents(pdf_page)
    pdf_page.extract_text(visitor_text=on_text, visitor_operand_before=on_operator)
    return page


def _decode_contents(pdf_page: PageObject) -> None:
    """Decode the page's content streams ahead of text extraction, which would swallow a decoding
    limit (a bomb would read as an empty page); pypdf keeps the decoded data for extraction."""
    contents = pdf_page.get("/Contents")
    if contents is None:
        return
    contents = contents.get_object()
    for stream in contents if isinstance(contents, list) else [contents]:
        stream.get_object().get_data()


def _place(tm: list[float], cm: list[float]) -> tuple[float, float, float]:
    """Where text drawn with text matrix ``tm`` under ``cm`` starts, and how much its font is scaled."""
    x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
    y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
    scale = ((tm[2] * cm[0] + tm[3] * cm[2]) ** 2 + (tm[2] * cm[1] + tm[3] * cm[3]) ** 2) ** 0.5
    return x, y, scale


def _image_names(pdf_page: PageObject) -> set[str]:
    """The page's image XObjects by resource name (forms are text pypdf reads through)."""
    resources = pdf_page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    if xobjects is None:
        return set()
    xobjects = xobjects.get_object()
    return {str(name) for name in xobjects if xobjects[name].get_object().get("/Subtype") == "/Image"}


def _information(document: PdfReader) -> dict[str, str]:
    """Title, author and date from the document information dictionary, where it holds real ones; a field
    that does not parse is left out (the text is what matters, not its label)."""
    info = _safely(lambda: document.metadata)
    if info is None:
        return {}
    found: dict[str, str] = {}
    title = " ".join(str(_safely(lambda: info.title) or "").split())[:MAX_TITLE_CHARS]
    if title and not PLACEHOLDER_TITLE.match(title):
        found["title"] = normalize_text(title)
    author = " ".join(str(_safely(lambda: info.author) or "").split())
    if author and not PLACEHOLDER_AUTHOR.match(author):
        found["author"] = normalize_text(author)
    created = _safely(lambda: info.creation_date)
    if created is not None:
        found["date"] = created.date().isoformat()
    return found


def _safely(get: Callable[[], Any]) -> Any:
    """A metadata field, or None where it does not parse (a malformed date, a title that is no string)."""
    from pypdf.errors import PyPdfError

    try:
        return get()
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return None


READER = PdfReaderOfArticles()
