"""A gzip'd page through the whole local stack (S3, queue, worker, API): found by its words, with its title;
a gzip bomb beside it is recorded as a too_large skip."""

import gzip
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from opensearchpy import OpenSearch

from docsearch.ingest.status import key_statuses
from docsearch_local.paths import StackConfig
from tests.support import eventually

pytestmark = pytest.mark.e2e

PAGE = (
    "<html><head><title>Petani {tag} Panen Raya Padi Organik - Kabar Desa</title></head><body><article>"
    "<p>KLATEN - Petani di Klaten memulai panen raya padi organik {tag} pekan ini dengan hasil yang lebih "
    "baik dari musim lalu, kata ketua kelompok tani kepada wartawan di sela panen.</p>"
    "<p>Harga gabah kering panen di tingkat petani naik tipis dibanding bulan sebelumnya.</p>"
    "</article></body></html>"
)


def test_a_gzipped_page_is_found_with_its_title_and_a_bomb_is_a_recorded_skip(
    local_stack: StackConfig, s3: Any, engine: OpenSearch, search_api: Callable[..., Any]
) -> None:
    tag = f"zqgz{uuid.uuid4().hex[:8]}"
    page, bomb = f"e2e-gzip/{tag}/panen.html.gz", f"e2e-gzip/{tag}/bom.txt.gz"
    s3.put_object(Bucket=local_stack.bucket, Key=bomb, Body=gzip.compress(b"Judul\n" + b" " * (64 * 2**20), 9))
    body = gzip.compress(PAGE.format(tag=tag).encode())
    s3.put_object(Bucket=local_stack.bucket, Key=page, Body=body, ContentType="application/gzip")

    # What the words find (lexical mode): hybrid mode would list the model's nearest articles after the match.
    eventually(lambda: search_api(q=tag, mode="lexical").json()["total"] == 1, "the gzip'd page searchable")
    # First, not alone: the stack's bucket and index persist, and earlier runs' pages share "panen padi".
    hit = search_api(q=f"panen padi {tag}", mode="lexical").json()["results"][0]
    assert hit["key"] == page and hit["title"] == f"Petani {tag} Panen Raya Padi Organik"

    def bomb_status() -> Any:
        return key_statuses(engine, local_stack.index_alias, local_stack.bucket, [bomb])[bomb]

    eventually(lambda: bomb_status().state == "skipped", "the bomb's skip recorded")
    assert bomb_status().reason == "too_large"
