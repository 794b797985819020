"""Read-ahead: the S3 reads a batch starts before it needs them, the objects extracted while the engine
answers, and the waves that bound how many object bytes a batch holds at once.

An event's object may be read while its key's state is (S3 returns that event's version or a later one,
and the sequencer, not the write's guard, decides whether it is older than what is stored). A write without
a sequencer (a backfill; moto's local events) reads its object only after its state: an object read first
could be overwritten, and its newer document written, before the state read, and the guard would then let
the older bytes replace it. Objects read ahead are extracted while the engine answers the state lookup (the
CPU would wait otherwise); the plan then uses or drops each extraction, so identical content is still never
written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from docsearch.ingest.article import Article
from docsearch.ingest.events import ObjectChange
from docsearch.ingest.extract import ReadOptions, Unindexable, extract_article
from docsearch.ingest.extract.readers import HEAD_BYTES, reader_for, unpacked_bound
from docsearch.ingest.isolation import run_isolated
from docsearch.ingest.objects import StoredObject
from docsearch.ingest.timelimit import cpu_time_limit, extraction_budget_s

Fetch = Callable[[str, str], StoredObject]
# Objects of one batch read at once: S3 GETs wait on the network, not the CPU (make bench: the path
# without S3 reads ran 3-6x faster, so reading is what an ingest batch waits on).
FETCH_CONCURRENCY = 10
# Memory is bounded by bytes, not by count: a batch reads, extracts and writes its objects in waves of at
# most ``byte_budget`` object bytes (settings.batch_byte_budget; one wave for ordinary articles).
DEFAULT_BYTE_BUDGET = 64 * 2**20
# No extraction starts with less wall time than this left before the batch's deadline: the rest of the
# batch is retried rather than cut off by the function's timeout (which would retry all of it).
EXTRACT_RESERVE_S = 10.0
EXTRACT_RESERVE_SHARE = 1 / 3  # of a shorter budget (a local worker's few seconds): the same idea, to scale

# Formats whose parsing runs in C, where the in-process signal limit cannot reach: libxml2 through lxml
# (HTML; a .docx's XML parts), zlib (gzip, and the HTML it may hold; a .docx's parts; a PDF's Flate streams).
# Text, Markdown and JSON parse in Python (json's C scanner is linear), as does a .doc's OLE container.
ISOLATED_FORMATS = frozenset({"html", "gzip", "docx", "pdf"})
# Smaller objects are extracted in-process: the worst an input this small can cost in libxml2 is
# measured in docs/decisions/0009 (an attribute bomb of 32 KiB: a few hundredths of a second), less than a
# child process's own cost, and the attribute bound (html.MAX_ATTRIBUTES_PER_TAG) caps the quadratic case.
ISOLATE_FROM_BYTES = 32 * 1024
# The wall-clock fence around a child, from its CPU budget: below 1,769 MB a Lambda function gets a share
# of a core (0.29 at 512 MB), so a child may need 3.5x its CPU budget in wall time to use it.
WALL_PER_CPU_S = 4.0
# Plus a second: the child's kernel CPU limit is the budget rounded up to whole seconds (isolation.py),
# and the fork and its answer's pickling come on top (a fork costs about 30 ms here, decision 0009).
WALL_BASE_S = 1.0

Extracted = Article | Exception  # an object's article, or what extraction raised (the plan names it)
Item = tuple[str, tuple[str, ObjectChange]]  # (document id, (tag, change))


def extract_until(deadline: float | None) -> float | None:
    """The last instant an extraction may start: the deadline less the reserve the writes need."""
    if deadline is None:
        return None
    budget = deadline - time.monotonic()
    return deadline - min(EXTRACT_RESERVE_S, max(budget, 0.0) * EXTRACT_RESERVE_SHARE)


def waves(items: list[Item], byte_budget: int) -> list[list[Item]]:
    """Consecutive groups whose known object sizes add up to at most ``byte_budget`` (an object of
    unknown size counts as a FETCH_CONCURRENCY-th of it; a bigger object than the budget goes alone;
    a compressed object counts as the most it may unpack to)."""
    groups: list[list[Item]] = [[]]
    held = 0
    for item in items:
        change = item[1][1]
        size = 0 if change.action == "delete" else change.size
        # a container (.gz) counts as what it may unpack to
        size = byte_budget // FETCH_CONCURRENCY if size is None else unpacked_bound(change.key, size)
        if groups[-1] and held + size > byte_budget:
            groups.append([])
            held = 0
        groups[-1].append(item)
        held += size
    return groups


def prefetched(fetch: Fetch, changes: list[ObjectChange]) -> Fetch:
    """Start reading the objects of ``changes`` concurrently (S3 reads wait on the network); each one's
    result (or error) is handed over when it is asked for, as often as it is, without waiting for the
    others. Any other object is read by ``fetch`` when it is asked for."""
    futures = {where: _readers().submit(fetch, *where) for where in read_ahead(changes)}
    if not futures:
        return fetch
    return lambda bucket, key: futures[(bucket, key)].result() if (bucket, key) in futures else fetch(bucket, key)


def read_ahead(changes: list[ObjectChange]) -> list[tuple[str, str]]:
    """The objects ``prefetched`` reads at once: the upserts' (bucket, key), if two or more (a lone object
    is read when its plan asks for it, so a plan that needs no bytes reads none)."""
    wanted = sorted({(c.bucket, c.key) for c in changes if c.action == "upsert"})
    return wanted if len(wanted) >= 2 else []


@lru_cache(maxsize=1)
def _readers() -> ThreadPoolExecutor:
    """The threads that read objects, kept from batch to batch (a warm function starts none)."""
    return ThreadPoolExecutor(max_workers=FETCH_CONCURRENCY, thread_name_prefix="docsearch-read")


@lru_cache(maxsize=1)
def lookups() -> ThreadPoolExecutor:
    """The thread that waits on the engine's answers a batch needs before it plans (kept, as the readers)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="docsearch-lookup")


def extract(key: str, obj: StoredObject, options: ReadOptions | None = None) -> Article:
    """The article in ``obj``, within its CPU budget (past it: skipped as too_slow); ``options``: the
    settings extraction reads (None: extraction's defaults).

    Objects whose parsing runs in C (HTML, gzip, DOCX and PDF, from ``ISOLATE_FROM_BYTES``) are extracted in a child
    process the kernel stops at the budget (isolation.py); the rest in this process, under the signal limit,
    which their Python code always sees. docs/decisions/0009-extraction-in-a-child-process.md says why.
    """
    budget = extraction_budget_s(unpacked_bound(key, len(obj.body)))  # a .gz: what it may unpack to

    def work() -> Article:
        return extract_article(obj.body, obj.metadata, key=key, content_type=obj.content_type, options=options)

    if isolated(key, obj):
        return run_isolated(work, budget, budget * WALL_PER_CPU_S + WALL_BASE_S)
    with cpu_time_limit(budget):
        return work()


def isolated(key: str, obj: StoredObject) -> bool:
    """True if this object is extracted in a child process (its format parses in C, and it is not tiny)."""
    if len(obj.body) < ISOLATE_FROM_BYTES:
        return False
    try:
        return reader_for(key, obj.content_type, obj.body[:HEAD_BYTES]).name in ISOLATED_FORMATS
    except Unindexable:  # no reader: extraction says so itself, at no cost
        return False


def extractor(ready: Extracted | None, options: ReadOptions | None = None) -> Callable[[str, StoredObject], Article]:
    """The plan's extraction of one object: ``ready`` if it was made while the engine answered (raised
    again if it failed), else made when the plan asks."""

    def extract_or_reuse(key: str, obj: StoredObject) -> Article:
        if isinstance(ready, Exception):
            raise ready
        return ready if ready is not None else extract(key, obj, options)

    return extract_or_reuse


def extract_while_waiting(
    lookup: Future[Any],
    fetch: Fetch,
    changes: list[ObjectChange],
    until: float | None,
    options: ReadOptions | None = None,
) -> dict[tuple[str, str], Extracted]:
    """Extract the objects ``fetch`` is reading ahead for ``changes``, in turn, until ``lookup`` is done (in
    this thread: the CPU limit is a signal). An object whose read failed is left to the plan, which reports it;
    what its extraction raised is kept for the plan, which names it."""
    extracted: dict[tuple[str, str], Extracted] = {}
    for bucket, key in read_ahead(changes):
        if lookup.done() or (until is not None and time.monotonic() > until):
            break
        try:
            obj = fetch(bucket, key)
        except Exception:  # noqa: S112 (its read failed: the plan asks for it again and reports why)
            continue
        try:
            extracted[(bucket, key)] = extract(key, obj, options)
        except Exception as error:  # Unindexable, or a bug: the plan decides what it means
            extracted[(bucket, key)] = error
    return extracted
