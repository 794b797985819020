"""The relevance report on our own labelled sets, with thresholds (what `make eval` prints first)."""

import pytest
from opensearchpy import OpenSearch

from docsearch.search.client import SearchClient
from eval.corpus import question_set, sample_set
from eval.report import evaluate, table
from eval.systems import PIPELINE

pytestmark = pytest.mark.integration

MIN_MRR = 0.9
MIN_NDCG = 0.9
MIN_RECALL = 0.9
# Natural questions over the same articles: every answer in the top ten, nearly all first.
MIN_QUESTION_MRR = 0.95
MIN_QUESTION_RECALL = 1.0


def test_pipeline_meets_thresholds_and_beats_plain_baselines(engine: OpenSearch, reader: SearchClient) -> None:
    labelled = sample_set()
    results = evaluate(engine, reader, labelled)
    print(table(labelled, results))
    ours = next(scores for scores in results if scores.system == PIPELINE)
    assert ours.mrr >= MIN_MRR and ours.ndcg >= MIN_NDCG and ours.recall >= MIN_RECALL
    assert ours.probe_failures == []  # e.g. "dana" never returns the "Perdana Menteri" article
    for baseline in results:
        if baseline is not ours:
            assert ours.mrr > baseline.mrr and ours.ndcg > baseline.ndcg


def test_questions_are_answered_at_least_as_well_as_by_plain_baselines(
    engine: OpenSearch, reader: SearchClient
) -> None:
    labelled = question_set()
    results = evaluate(engine, reader, labelled)
    print(table(labelled, results))
    ours = next(scores for scores in results if scores.system == PIPELINE)
    assert ours.mrr >= MIN_QUESTION_MRR and ours.recall >= MIN_QUESTION_RECALL
    for baseline in results:
        if baseline is not ours:
            assert ours.mrr >= baseline.mrr
