"""The bench's cold first answer under `sam local start-api` (bench.sam_cold), one short round.

Times are not asserted (`make bench` reports them); what is: both functions answered cold and
warm from the containers SAM started before the clock ran (none started for a request), each
cold answer took longer than its warm one, and nothing is left behind (containers, template).
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.sam_cold import BASELINE, measure
from docsearch_local.sam_local import BUILT_TEMPLATE
from tests.sam.harness import SamSetup

pytestmark = [pytest.mark.sam, pytest.mark.timeout(1500)]


def test_cold_first_search_beside_its_baseline(sam: SamSetup, ingested: dict[str, Any]) -> None:
    before = sam.docker.containers()
    figures = measure(sam.docker, sam.config, sam.config.index_alias, "banjir jakarta", 1, 2, lambda _: None)

    assert figures["containers_started_by_requests"] == 0
    for name in ("search", "baseline"):
        assert figures[f"{name}_cold_ms"] > figures[f"{name}_warm_ms"] > 0
    assert figures["search_cold_vs_baseline_cold"] == pytest.approx(
        figures["search_cold_ms"] / figures["baseline_cold_ms"], rel=0.01
    )
    assert sam.docker.containers() == before
    assert not (BUILT_TEMPLATE.parent / BASELINE).exists()
    assert not (BUILT_TEMPLATE.parent / "bench-cold-start.json").exists()
