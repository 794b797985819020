"""The real-archive report (part of ``make eval``; alone: ``python -m eval.archive``)."""

from __future__ import annotations

from datetime import UTC, datetime

from opensearchpy import OpenSearch

from docsearch.embed import Embedder
from docsearch.search.client import SearchClient
from eval.archive.corpus import ARCHIVES, Record, load_archives
from eval.archive.fields import FormTally, examples, table, tally
from eval.archive.forms import uploads
from eval.archive.search import (
    docs_of,
    known_item_tables,
    known_items,
    paraphrased_headlines,
    precision_report,
    scored,
    typo_report,
    write_pool,
)
from eval.report import table as ranking_table
from eval.systems import indexed_systems

FORMATS = ("html", "json", "txt")
RELATED = 2  # "Baca juga" and "Terpopuler" entries: the archive's next articles


def provenance() -> str:
    lines = ["Archives (built at run time from pinned public mirrors, never committed):"]
    lines += [
        f"  {a.name}: github.com/{a.repo} @ {a.commit[:12]} {a.path}; licence: {a.licence}; {a.about}" for a in ARCHIVES
    ]
    return "\n".join(lines)


def field_report(archives: dict[str, list[Record]]) -> str:
    uploaded = datetime.now(UTC).date()
    tallies: dict[tuple[str, str], FormTally] = {}
    held_out: dict[tuple[str, str], FormTally] = {}
    for name, records in archives.items():
        forms = {
            r.id: uploads(r, [records[(i + k) % len(records)] for k in range(1, RELATED + 1)])
            for i, r in enumerate(records)
        }
        for fmt in FORMATS:
            tallies[(name, fmt)] = tally(((r, forms[r.id][fmt]) for r in records), uploaded)
            held_out[(name, fmt)] = tally(((r, forms[r.id][fmt]) for r in records if r.held_out), uploaded)
    title = "Real archives, per format and field (uploads extracted as the ingest worker extracts them)"
    return "\n\n".join(
        [
            table(tallies, title),
            table(held_out, "The held-out part alone (URL SHA-1 ends in 0-2; its wrong values are never printed)"),
            f"Wrong values, first of each:\n{examples(tallies) or '  none'}",
        ]
    )


def run(client: OpenSearch, reader: SearchClient, *, pool: bool = False, embedder: Embedder | None = None) -> str:
    """The whole report as text; one line saying why when the archives are not to be had. With ``embedder``,
    hybrid mode is ranked beside lexical mode."""
    archives, missing = load_archives()
    if not archives:
        return "Real-archive report skipped: no archive data (" + "; ".join(missing) + ")"
    parts = [provenance()]
    if missing:
        parts.append("Missing (left out): " + "; ".join(missing))
    parts.append(field_report(archives))
    records = [record for group in archives.values() for record in group]
    held_out = {record.id for record in records if record.held_out}
    with indexed_systems(client, reader, docs_of(records), prefix="eval-archive", embedder=embedder) as systems:
        if pool:
            path, count = write_pool(systems, records)
            return f"{count} unjudged (query, article) pairs written to {path}"
        labelled = known_items(records)
        parts.append(known_item_tables(labelled, scored(systems, labelled), held_out))
        paraphrases = paraphrased_headlines(records)
        parts.append(ranking_table(paraphrases, scored(systems, paraphrases)))
        parts.append(typo_report(systems, records))
        parts.append(precision_report(systems))
    return "\n\n".join(parts)
