"""What parser bombs of each format cost the ingest path's extraction (``readahead.extract``, as a batch
runs it: in a child process for HTML and gzip from 32 KiB, else in-process under the signal limit).

Usage: python -m bench.parser_bombs
Prints one line per bomb: the outcome (indexed with the title's length, or the skip reason and detail),
this process's CPU and the wall time. docs/reliability-bounds.md quotes a run (and one at the commit
before the bounds, for the "before" column).
"""

from __future__ import annotations

import json
import time

from docsearch.ingest.extract import Unindexable
from docsearch.ingest.objects import StoredObject
from docsearch.ingest.readahead import extract

MB = 2**20
ARTICLE = "Banjir merendam ratusan rumah warga di Jakarta Timur sejak pagi. " * 20


def attribute_bomb(size: int) -> bytes:
    attributes = " ".join(f'a{n}="x"' for n in range(size // 9))
    return f"<html><body><div {attributes}>teks</div><p>{ARTICLE}</p></body></html>".encode()


def bombs() -> dict[str, tuple[str, bytes]]:
    deep = f"<html><body>{'<div>' * 300}<p>{ARTICLE}</p>{'</div>' * 300}</body></html>".encode()
    return {
        "html attributes 1 MB": ("a.html", attribute_bomb(MB)),
        "html attributes 7 MB": ("a.html", attribute_bomb(7 * MB)),
        "html nested 300 deep": ("a.html", deep),
        "json title 8 MB": ("a.json", json.dumps({"title": "Banjir " * (8 * MB // 7), "body": ARTICLE}).encode()),
        "md heading 4.5 MB": ("a.md", ("# " + "Banjir " * (45 * MB // 70) + "\n\n" + ARTICLE).encode()),
        "txt first line 9 MB": ("a.txt", ("Banjir " * (9 * MB // 7) + "\n\n" + ARTICLE).encode()),
    }


def main() -> None:
    for name, (key, data) in bombs().items():
        cpu, wall = time.process_time(), time.monotonic()
        try:
            article = extract(key, StoredObject(bucket="bench", key=key, body=data))
            outcome = f"indexed, title {len(article.title):,} characters"
        except Unindexable as error:
            outcome = f"{error.reason}: {error.detail[:90]}"
        print(f"{name}: {outcome}; {time.process_time() - cpu:.2f} s CPU here, {time.monotonic() - wall:.2f} s wall")


if __name__ == "__main__":
    main()
