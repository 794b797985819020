"""Extraction as the ingest batch runs it, under the CPU budget it gives an object of that size: what the
readers' and the formats' tests share."""

from __future__ import annotations

import pytest

from docsearch.ingest.extract import Unindexable, extract_article
from docsearch.ingest.timelimit import TooSlow, cpu_time_limit, extraction_budget_s


def extract_within_budget(data: bytes, key: str) -> None:
    """Extract ``data`` as the batch would; an Unindexable other than too_slow is a fine answer."""
    try:
        with cpu_time_limit(extraction_budget_s(len(data))):
            extract_article(data, key=key)
    except TooSlow:
        raise
    except Unindexable:
        pass


def skip_reason(data: bytes, key: str) -> str:
    """The reason ``data`` is skipped with, within its budget; fails if it is indexed."""
    with pytest.raises(Unindexable) as caught, cpu_time_limit(extraction_budget_s(len(data))):
        extract_article(data, key=key)
    return caught.value.reason
