"""``python -m eval.archive ablation [--facqa DIR]``: the known-item ranking, one change at a time.

Known items (the first sentence of each detik summary must find its article) are 1.043 times the built-in
index's MRR@10 in hybrid mode, the issue's goal being 1.05. Most misses are a sibling article on the same
event ranked first. This runs the shipped ranking and, beside it, each change alone that could separate
siblings (the title's weight, exact-form matches, phrase proximity, how many words must match, BM25's k1
and b, the dense side's share, how much of each article the model reads), in hybrid mode through the search
function, with the tuning and held-out parts apart. With ``--facqa``, the same 1,000 FacQA questions
``make eval`` samples are ranked by each variant too: a change that helps the archive must not cost them.
docs/relevance.md reports a run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from opensearchpy import OpenSearch

import docsearch.index.definition as definition
from docsearch.embed import LEAD_CHARS, Embedder
from docsearch.search.client import SearchClient
from eval.archive.corpus import load_archives
from eval.archive.search import BASELINE, known_items
from eval.corpus import LabelledSet, facqa_set
from eval.report import Scores, score_system, significance
from eval.systems import HYBRID, indexed_systems

QUERY = "docsearch.search.query"
HYBRID_MODULE = "docsearch.search.hybrid"
FACQA_QUERIES = 1000  # make eval's sample (its seed too)


@dataclass(frozen=True)
class Variant:
    name: str
    constants: dict[str, Any] = field(default_factory=dict)  # "module.NAME" -> the value searches read
    bm25: dict[str, float] = field(default_factory=dict)  # the index's news_bm25 parameters
    lead_chars: int = LEAD_CHARS  # the body characters embedded with the title


def _title(boost: float) -> dict[str, Any]:
    return {
        f"{QUERY}.STEMMED_FIELDS": [f"title^{boost}", "body"],
        f"{QUERY}.EXACT_FIELDS": [f"title.exact^{boost}", "body.exact"],
    }


SHIPPED = Variant("as shipped (title x2, exact x0.5, proximity x0.5, k1 0.6, b 0.75, dense 0.4, lead 600)")
VARIANTS = [
    SHIPPED,
    Variant("title x1", _title(1)),
    Variant("title x1.5", _title(1.5)),
    Variant("title x3", _title(3)),
    Variant("exact-form matches x0", {f"{QUERY}.EXACT_BOOST": 0.0}),
    Variant("exact-form matches x0.25", {f"{QUERY}.EXACT_BOOST": 0.25}),
    Variant("phrase proximity x0", {f"{QUERY}.PROXIMITY_BOOST": 0.0}),
    Variant("five or more words: 40% must match", {f"{QUERY}.MINIMUM_SHOULD_MATCH": "2<-1 4<40%"}),
    Variant("BM25 k1 1.2", bm25={"k1": 1.2}),
    Variant("BM25 b 0.5", bm25={"b": 0.5}),
    Variant("BM25 b 0.9", bm25={"b": 0.9}),
    Variant("dense share 0.3", {f"{HYBRID_MODULE}.DENSE_WEIGHT": 0.3}),
    Variant("dense share 0.5", {f"{HYBRID_MODULE}.DENSE_WEIGHT": 0.5}),
    Variant("model reads title + 1,200 characters", lead_chars=1200),
    Variant("BM25 k1 1.2 + exact-form x0.25", {f"{QUERY}.EXACT_BOOST": 0.25}, {"k1": 1.2}),
]


def _with_bm25(parameters: dict[str, float]) -> Callable[..., dict[str, Any]]:
    original = definition.index_settings

    def settings(**kwargs: Any) -> dict[str, Any]:
        made = copy.deepcopy(original(**kwargs))
        made["index"]["similarity"]["news_bm25"].update(parameters)
        return made

    return settings


@contextmanager
def applied(variant: Variant) -> Iterator[None]:
    """The variant's constants (and BM25 parameters, for the indices created meanwhile) in force."""
    with ExitStack() as stack:
        for target, value in variant.constants.items():
            stack.enter_context(mock.patch(target, value))
        if variant.bm25:
            stack.enter_context(mock.patch.object(definition, "index_settings", _with_bm25(variant.bm25)))
        yield


@dataclass
class Row:
    variant: Variant
    known: Scores
    facqa: Scores | None = None


def _rank(
    client: OpenSearch,
    reader: SearchClient,
    labelled: LabelledSet,
    variant: Variant,
    embedder: Embedder,
    baseline: bool = False,
) -> tuple[Scores, Scores | None]:
    """The variant's hybrid scores on ``labelled``, and (``baseline``) the built-in index's."""
    with (
        applied(variant),
        indexed_systems(client, reader, labelled.docs, "ablation", embedder, variant.lead_chars, baseline) as systems,
    ):
        chosen = {system.name: system for system in systems}
        plain = score_system(chosen[BASELINE], labelled.queries) if baseline else None
        return score_system(chosen[HYBRID], labelled.queries), plain


def rows(
    client: OpenSearch, reader: SearchClient, embedder: Embedder, known: LabelledSet, facqa: Path | None = None
) -> tuple[list[Row], Scores]:
    """Each variant's scores, and the built-in index's on the known items (ranked once: no variant changes it)."""
    questions = facqa_set(facqa, limit=FACQA_QUERIES) if facqa else None
    result: list[Row] = []
    plain: Scores | None = None
    for variant in VARIANTS:
        scores, ranked_plain = _rank(client, reader, known, variant, embedder, baseline=plain is None)
        plain = plain or ranked_plain
        row = Row(variant, scores)
        if questions is not None:
            row.facqa = _rank(client, reader, questions, variant, embedder)[0]
        result.append(row)
        print(f"  {variant.name}: {row.known.mrr:.4f}", flush=True)
    assert plain is not None  # the first variant ranked it
    return result, plain


def report(results: list[Row], plain: Scores, held_out: set[str]) -> str:
    shipped = results[0]
    lines = [
        "Known items in hybrid mode, one change at a time (MRR@10; p: paired randomization against as shipped)",
        "| change | all | tuning part | held-out part | vs shipped (p) | x built-in | FacQA |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in results:
        tuning = row.known.subset(lambda q: q.removeprefix("ki-") not in held_out).mrr
        held = row.known.subset(lambda q: q.removeprefix("ki-") in held_out).mrr
        versus = (
            "-"
            if row is shipped
            else f"{row.known.mrr - shipped.known.mrr:+.4f} (p={significance(row.known, shipped.known):.3f})"
        )
        facqa = f"{row.facqa.mrr:.4f}" if row.facqa else "-"
        ratio = row.known.mrr / plain.mrr
        cells = [f"{row.known.mrr:.4f}", f"{tuning:.4f}", f"{held:.4f}", versus, f"{ratio:.3f}", facqa]
        lines.append(f"| {row.variant.name} | {' | '.join(cells)} |")
    return "\n".join(lines)


def run(client: OpenSearch, reader: SearchClient, embedder: Embedder, facqa: Path | None = None) -> str:
    archives, missing = load_archives()
    if not archives:
        raise SystemExit("no archive data: " + "; ".join(missing))
    records = [record for group in archives.values() for record in group]
    results, plain = rows(client, reader, embedder, known_items(records), facqa)
    return report(results, plain, {record.id for record in records if record.held_out})
