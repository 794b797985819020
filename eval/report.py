"""Running a labelled set through each system and printing the metrics side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from opensearchpy import OpenSearch

from docsearch.embed import LEAD_CHARS, Embedder
from docsearch.search.client import SearchClient
from eval.corpus import LabelledSet, Query
from eval.metrics import CUTOFF, ndcg, paired_randomization, recall, reciprocal_rank
from eval.systems import HYBRID, PIPELINE, System, indexed_systems

METRICS = ("MRR@10", "nDCG@10", "Recall@10")


@dataclass
class Scores:
    """One system's per-query results on a set; the means are over ``queries`` (all of them by default)."""

    system: str
    rr: dict[str, float] = field(default_factory=dict)
    gains: dict[str, float] = field(default_factory=dict)
    recalls: dict[str, float] = field(default_factory=dict)
    # Query ids whose ranking returned a document labelled as must-not-match.
    probe_failures: list[str] = field(default_factory=list)
    rankings: dict[str, list[str]] = field(default_factory=dict)

    def _mean(self, values: dict[str, float]) -> float:
        return sum(values.values()) / max(len(values), 1)

    @property
    def mrr(self) -> float:
        return self._mean(self.rr)

    @property
    def ndcg(self) -> float:
        return self._mean(self.gains)

    @property
    def recall(self) -> float:
        return self._mean(self.recalls)

    def as_row(self) -> list[float]:
        return [self.mrr, self.ndcg, self.recall]

    def subset(self, keep: Callable[[str], bool]) -> Scores:
        """The same system's scores on the queries whose id ``keep`` accepts."""
        return Scores(
            self.system,
            rr={q: v for q, v in self.rr.items() if keep(q)},
            gains={q: v for q, v in self.gains.items() if keep(q)},
            recalls={q: v for q, v in self.recalls.items() if keep(q)},
            probe_failures=[q for q in self.probe_failures if keep(q)],
            rankings={q: v for q, v in self.rankings.items() if keep(q)},
        )


def score_system(system: System, queries: list[Query]) -> Scores:
    scores = Scores(system.name)
    for query in queries:
        ranked = system.rank(query.text)
        scores.rankings[query.id] = ranked
        scores.rr[query.id] = reciprocal_rank(ranked, query.relevant)
        scores.gains[query.id] = ndcg(ranked, query.relevant)
        scores.recalls[query.id] = recall(ranked, query.relevant)
        if query.excluded.intersection(ranked[:CUTOFF]):
            scores.probe_failures.append(query.id)
    return scores


def evaluate(
    client: OpenSearch,
    reader: SearchClient,
    labelled: LabelledSet,
    embedder: Embedder | None = None,
    lead_chars: int = LEAD_CHARS,
) -> list[Scores]:
    """Every system's scores on ``labelled``; with ``embedder``, our pipeline in hybrid mode as well."""
    prefix = f"eval-{labelled.name}".lower()
    with indexed_systems(client, reader, labelled.docs, prefix, embedder, lead_chars) as systems:
        return [score_system(system, labelled.queries) for system in systems]


def significance(ours: Scores, baseline: Scores) -> float:
    """p-value of the paired randomization test on per-query reciprocal rank (ours vs a baseline)."""
    ids = sorted(ours.rr)
    return paired_randomization([ours.rr[q] for q in ids], [baseline.rr[q] for q in ids])


def table(labelled: LabelledSet, results: list[Scores], title: str = "") -> str:
    """A markdown table; each row carries docsearch's MRR difference to it and its p-value (lexical mode, and
    hybrid mode when it was measured)."""
    ids = set(results[0].rr) if results else set()
    queries = [query for query in labelled.queries if query.id in ids]
    probes = sum(1 for query in queries if query.excluded)
    header = title or f"{labelled.name}: {len(labelled.docs)} documents, {len(queries)} queries"
    ours = [scores for scores in results if scores.system in (PIPELINE, HYBRID)]
    versus_columns = "".join(f" {scores.system} ΔMRR (p) |" for scores in ours)
    lines = [
        header,
        f"| system | {' | '.join(METRICS)} | probe failures |{versus_columns}",
        "| --- | --- | --- | --- | --- |" + " --- |" * len(ours),
    ]
    for scores in results:
        cells = " | ".join(f"{value:.3f}" for value in scores.as_row())
        failed = f"{len(scores.probe_failures)}/{probes}" if probes else "-"
        versus = "".join(f" {_versus(mine, scores)} |" for mine in ours)
        lines.append(f"| {scores.system} | {cells} | {failed} |{versus}")
    return "\n".join(lines)


def _versus(ours: Scores, other: Scores) -> str:
    if ours is other:
        return "-"
    return f"{ours.mrr - other.mrr:+.3f} (p={significance(ours, other):.3f})"
