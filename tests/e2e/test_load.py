"""The load tool itself, briefly: concurrent searches while articles are ingested, zero errors."""

import pytest

from docsearch_local.loadtest import percentile, run
from docsearch_local.paths import StackConfig

pytestmark = pytest.mark.e2e


def test_short_load_run_has_no_errors_and_loses_no_article(local_stack: StackConfig) -> None:
    report = run(local_stack, duration_s=4, max_requests=300, concurrency=4, articles=5)
    assert report.requests > 0
    assert report.errors == 0, report.error_kinds
    assert report.articles_uploaded == 5
    assert report.articles_searchable == 5
    assert 0 < report.p50_ms <= report.p95_ms <= report.p99_ms <= report.max_ms


def test_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5, abs=1)
    assert percentile(values, 99) == pytest.approx(99, abs=1.1)
    assert percentile([], 95) == 0.0
