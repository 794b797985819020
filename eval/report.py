"""Running a labelled set through each system and printing the metrics side by side."""

from __future__ import annotations

from dataclasses import dataclass, field

from opensearchpy import OpenSearch

from eval.corpus import LabelledSet, Query
from eval.metrics import CUTOFF, ndcg, recall, reciprocal_rank
from eval.systems import System, indexed_systems

METRICS = ("MRR@10", "nDCG@10", "Recall@10")


@dataclass
class Scores:
    system: str
    mrr: float = 0.0
    ndcg: float = 0.0
    recall: float = 0.0
    # Query ids whose ranking returned a document labelled as must-not-match.
    probe_failures: list[str] = field(default_factory=list)
    rankings: dict[str, list[str]] = field(default_factory=dict)

    def as_row(self) -> list[float]:
        return [self.mrr, self.ndcg, self.recall]


def score_system(system: System, queries: list[Query]) -> Scores:
    scores = Scores(system.name)
    for query in queries:
        ranked = system.rank(query.text)
        scores.rankings[query.id] = ranked
        scores.mrr += reciprocal_rank(ranked, query.relevant)
        scores.ndcg += ndcg(ranked, query.relevant)
        scores.recall += recall(ranked, query.relevant)
        if query.excluded.intersection(ranked[:CUTOFF]):
            scores.probe_failures.append(query.id)
    count = max(len(queries), 1)
    scores.mrr, scores.ndcg, scores.recall = scores.mrr / count, scores.ndcg / count, scores.recall / count
    return scores


def evaluate(client: OpenSearch, labelled: LabelledSet) -> list[Scores]:
    with indexed_systems(client, labelled.docs, prefix=f"eval-{labelled.name}".lower()) as systems:
        return [score_system(system, labelled.queries) for system in systems]


def table(labelled: LabelledSet, results: list[Scores]) -> str:
    probes = sum(1 for query in labelled.queries if query.excluded)
    header = f"{labelled.name}: {len(labelled.docs)} documents, {len(labelled.queries)} queries"
    lines = [header, f"| system | {' | '.join(METRICS)} | probe failures |", "| --- | --- | --- | --- | --- |"]
    for scores in results:
        cells = " | ".join(f"{value:.3f}" for value in scores.as_row())
        failed = f"{len(scores.probe_failures)}/{probes}" if probes else "-"
        lines.append(f"| {scores.system} | {cells} | {failed} |")
    return "\n".join(lines)
