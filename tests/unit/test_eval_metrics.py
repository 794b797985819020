import math

from eval.metrics import ndcg, recall, reciprocal_rank


def test_metrics_on_a_known_ranking() -> None:
    relevant = {"a": 1, "b": 1}
    ranked = ["x", "a", "y", "b"]
    assert reciprocal_rank(ranked, relevant) == 0.5
    assert recall(ranked, relevant) == 1.0
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert math.isclose(ndcg(ranked, relevant), expected)
    assert reciprocal_rank(["x"], relevant) == 0.0 and ndcg([], relevant) == 0.0
