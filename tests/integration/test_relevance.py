"""The relevance report on our own labelled set, with thresholds (what `make eval` prints first)."""

import pytest
from opensearchpy import OpenSearch

from eval.corpus import sample_set
from eval.report import evaluate, table
from eval.systems import PIPELINE

pytestmark = pytest.mark.integration

MIN_MRR = 0.9
MIN_NDCG = 0.9
MIN_RECALL = 0.9


def test_pipeline_meets_thresholds_and_beats_plain_baselines(engine: OpenSearch) -> None:
    labelled = sample_set()
    results = evaluate(engine, labelled)
    print(table(labelled, results))
    ours = next(scores for scores in results if scores.system == PIPELINE)
    assert ours.mrr >= MIN_MRR and ours.ndcg >= MIN_NDCG and ours.recall >= MIN_RECALL
    assert ours.probe_failures == []  # e.g. "dana" never returns the "Perdana Menteri" article
    for baseline in results:
        if baseline is not ours:
            assert ours.mrr > baseline.mrr and ours.ndcg > baseline.ndcg
