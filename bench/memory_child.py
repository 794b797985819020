"""Run in a fresh process: import the ingest handler, process one SQS batch, print peak RSS as JSON.

Usage: python -m bench.memory_child <bucket> <key> [<key> ...]   (INDEX_ALIAS etc. from the environment)
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from docsearch_local.events import sqs_event


def high_water_kb() -> int:
    """Peak RSS of this process image. ``VmHWM`` rather than ``ru_maxrss``: on Linux the latter keeps the
    parent's high-water mark across fork + exec, so a child of a big bench process would report the parent's."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> None:
    bucket, keys = argv[0], argv[1:]
    from docsearch_local.lambda_context import LocalContext
    from functions.ingest.app import lambda_handler

    after_import_kb = high_water_kb()
    from docsearch_local.aws_resources import clients
    from docsearch_local.paths import stack_config

    s3, _ = clients(stack_config())  # S3 events carry each object's size: the batch's byte budget reads it
    event = sqs_event(bucket, keys, [s3.head_object(Bucket=bucket, Key=key)["ContentLength"] for key in keys])
    started = time.perf_counter()
    error = ""
    try:
        response = lambda_handler(event, LocalContext("docsearch-ingest", timeout_s=900))
        failures = len(response.get("batchItemFailures", []))
    except Exception as failed:  # every record failed: Powertools raises; the memory figure still stands
        failures, error = len(keys), repr(failed)[:300]
    seconds = time.perf_counter() - started
    peak_kb = high_water_kb()
    result = {"import_kb": after_import_kb, "peak_kb": peak_kb, "s": seconds, "f": failures, "error": error}
    sys.stderr.write("\n" + json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
