"""Helpers shared by the test tiers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from docsearch.engine import build_client
from docsearch.search.client import SearchClient
from docsearch.settings import Settings
from docsearch_local.timing import wait_until


def eventually(check: Callable[[], bool], what: str, timeout_s: float = 30) -> None:
    """Poll ``check`` until it holds; fail the test with ``what`` if it does not within ``timeout_s``."""
    try:
        wait_until(check, what, timeout_s)
    except TimeoutError as error:
        pytest.fail(str(error))


@contextmanager
def functions_using(settings: Settings) -> Iterator[None]:
    """Both functions read ``settings`` (and a client built from them) within the block.

    Both handlers' module-level lookups are patched. No cache is cleared: the real ones are never touched.
    """
    from functions.ingest import app as ingest_app
    from functions.search import app as search_app

    client = build_client(settings)
    reader = SearchClient.from_settings(settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_app, "get_settings", lambda: settings)
        patch.setattr(search_app, "get_search_client", lambda: reader)
        patch.setattr(ingest_app, "get_settings", lambda: settings)
        patch.setattr(ingest_app, "get_client", lambda: client)
        yield
