"""The template refuses a MaxObjectBytes the ingest function cannot hold or extract in time."""

from __future__ import annotations

from docsearch.ingest.readahead import EXTRACT_RESERVE_S
from docsearch.ingest.timelimit import extraction_budget_s
from docsearch.settings import PEAK_BYTES_PER_OBJECT_BYTE, RUNTIME_BASELINE_MB, Settings
from tests.infrastructure.test_template import load_template

LAMBDA_MB_PER_VCPU = 1769  # Lambda gives a function CPU in proportion to its memory


def test_the_largest_allowed_object_fits_the_ingest_function() -> None:
    template = load_template()
    largest = int(template["Parameters"]["MaxObjectBytes"]["MaxValue"])
    ingest = template["Resources"]["IngestFunction"]["Properties"]
    memory_mb = int(ingest.get("MemorySize", template["Globals"]["Function"]["MemorySize"]))
    timeout_s = int(ingest.get("Timeout", template["Globals"]["Function"]["Timeout"]))
    settings = Settings.from_env(
        {"OPENSEARCH_URL": "http://x:9200", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": memory_mb, "MAX_OBJECT_BYTES": largest}
    )
    # Memory: a wave holds at most the byte budget, and the budget is never below one object of the largest size.
    assert settings.batch_byte_budget >= largest
    peak_mb = RUNTIME_BASELINE_MB + PEAK_BYTES_PER_OBJECT_BYTE * settings.batch_byte_budget / 2**20
    assert peak_mb <= memory_mb
    # Time: its extraction budget in CPU seconds, as wall seconds at this memory's share of a vCPU.
    wall_s = extraction_budget_s(largest) * LAMBDA_MB_PER_VCPU / memory_mb
    assert wall_s + EXTRACT_RESERVE_S <= timeout_s
