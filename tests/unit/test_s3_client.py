"""The ingest function's S3 client is made once per process, even when a cold batch's reads all start at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from docsearch.ingest import objects


def test_reads_that_start_together_share_one_client(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[object] = []

    def slow_client(*_: Any, **__: Any) -> object:  # a real client takes tens of ms of CPU to make
        time.sleep(0.02)
        made.append(object())
        return made[-1]

    objects._make_s3_client.cache_clear()
    monkeypatch.setattr(objects.boto3, "client", slow_client)
    try:
        with ThreadPoolExecutor(max_workers=10) as pool:
            clients = list(pool.map(lambda _: objects.s3_client(), range(10)))
    finally:
        objects._make_s3_client.cache_clear()
    assert len(made) == 1 and all(client is made[0] for client in clients)
