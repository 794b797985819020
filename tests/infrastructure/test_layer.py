"""The shared layer as `sam build` makes it (layers/docsearch/Makefile): lean, complete, fast to load.

The layer is built once into a temporary directory (pip, from PyPI or its cache), then:
- no heavy package the functions never import (gRPC, protobuf, a second botocore...);
- at most 35 MiB unzipped (docs/performance.md, "Layer");
- each handler imports (and the ingest side extracts an HTML page, a PDF and a Word file, which load
  readability, lxml and pypdf lazily) with nothing but the layer, its own code, the standard library and what the
  Lambda Python runtime provides (boto3, botocore...): the pinned list is complete;
- every module a handler loads from the layer has bytecode (Lambda's /opt is read-only: a
  module without it is compiled again at every cold start);
- neither handler imports at cold start what its requests do not all need (see the assertion).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from docsearch_local.lambda_layout import LambdaLayout
from tests.documents import DOCUMENTS

MAX_UNZIPPED_BYTES = 35 * 2**20
# Top-level names that must never be in the layer: unused here, or the runtime's own.
UNWANTED = {
    "grpc": "gRPC (opensearch-py 3.x declares it, never imports it)",
    "google": "protobuf",
    "opensearch_protobufs": "gRPC stubs",
    "boto3": "the Lambda runtime's own",
    "botocore": "the Lambda runtime's own (a second copy would shadow it)",
    "s3transfer": "the Lambda runtime's own",
    "aws_xray_sdk": "the X-Ray SDK (no Powertools Tracer)",
    "charset_normalizer": "requests' second character detector (it takes chardet, which readability needs)",
    "numpy": "unused",
    "pandas": "unused",
}

IMPORT_CHECK = """
import importlib.util, json, os
layer, runtime = sys.argv[2], sys.argv[3]
import app
watched = ("opensearchpy", "requests", "pydantic", "readability", "lxml", "pypdf")
imported = sorted(name for name in watched if name in sys.modules)
if sys.argv[4] == "ingest":  # what the first HTML object loads (readability, lxml): lazily imported
    from docsearch.ingest.extract import extract_article
    page = b"<html><head><title>Banjir</title></head><body><article><p>" + b"Air naik di Jakarta. " * 40
    article = extract_article(page + b"</p></article></body></html>", {}, key="a.html", content_type="text/html")
    assert "Air naik" in article.body, article
    # A PDF and a Word file load pypdf and lxml.etree the same way; AES needs cryptography, not in the layer.
    from pathlib import Path
    from docsearch.ingest.extract import Unindexable
    documents = Path(sys.argv[5])
    pdf = extract_article((documents / "siaran-pers.pdf").read_bytes(), {}, key="a.pdf")
    assert pdf.title.startswith("Pemerintah Perluas") and "pemerintah untuk" in pdf.body, pdf
    word = extract_article((documents / "siaran-pers.docx").read_bytes(), {}, key="a.docx")
    assert word.title.startswith("Pemerintah Perluas") and "Kupang" == word.dateline, word
    try:
        extract_article((documents / "terbatas-aes.pdf").read_bytes(), {}, key="a.pdf")
        raise AssertionError("an AES-encrypted PDF was read without cryptography")
    except Unindexable as skipped:
        assert skipped.reason == "encrypted", skipped
loaded = {name: getattr(m, "__file__", None) or "" for name, m in list(sys.modules.items())}
from_layer = [f for f in loaded.values() if f.startswith(layer) and f.endswith(".py")]
print(json.dumps({
    "imported": imported,
    "from_layer": len(from_layer),
    "without_bytecode": [f for f in from_layer if not os.path.exists(importlib.util.cache_from_source(f))],
    "elsewhere": sorted({f for f in loaded.values()
                         if f and not f.startswith((layer, runtime, sys.argv[1], sys.base_prefix))}),
}))
"""


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> LambdaLayout:
    return LambdaLayout.build(tmp_path_factory.mktemp("lambda"))


@pytest.fixture(scope="module")
def layer(layout: LambdaLayout) -> Path:
    return layout.layer


def test_no_unused_heavy_package(layer: Path) -> None:
    present = {p.name for p in layer.iterdir()} & set(UNWANTED)
    assert not present, {name: UNWANTED[name] for name in present}
    # lxml's objectify and Cython sources are left out by the layer's Makefile (room for pypdf).
    assert not [p.name for p in (layer / "lxml").iterdir() if p.name.startswith("objectify") or p.suffix == ".pyx"]


def test_layer_fits_the_size_goal(layer: Path) -> None:
    size = sum(p.stat().st_size for p in layer.rglob("*") if p.is_file())
    assert size <= MAX_UNZIPPED_BYTES, f"{size / 2**20:.1f} MiB unzipped"


@pytest.mark.parametrize("function", ["ingest", "search"])
def test_handler_imports_from_the_layer_alone_with_bytecode(function: str, layout: LambdaLayout) -> None:
    done = subprocess.run(
        layout.command(IMPORT_CHECK, function, function, str(DOCUMENTS)),
        capture_output=True, text=True, timeout=120, check=False,
        env={"POWERTOOLS_METRICS_DISABLED": "true", "AWS_REGION": "ap-southeast-3"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["from_layer"] > 50
    assert not result["elsewhere"], "imported from outside the layer and the runtime"
    assert not result["without_bytecode"], "no .pyc: compiled again at every cold start"
    # What no request of the function needs at import: readability and lxml come with the first HTML object;
    # pydantic only with the search API's models (its import was about 90 ms of the ingest cold start);
    # opensearch-py (and requests, which it imports) only with ingest's writes: the search function's reads
    # go through docsearch.search.client (opensearch-py's import was about 90 ms of its cold start).
    assert result["imported"] == (["pydantic"] if function == "search" else ["opensearchpy", "requests"])
