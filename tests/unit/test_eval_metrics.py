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


def test_paired_randomization_tells_a_consistent_gain_from_noise() -> None:
    from eval.metrics import paired_randomization

    better = [1.0] * 30
    worse = [0.5] * 30
    assert paired_randomization(better, worse) < 0.001  # 30 wins out of 30: not chance
    assert paired_randomization(better, better) == 1.0  # no difference at all
    mixed_a = [1.0, 0.5] * 15
    mixed_b = [0.5, 1.0] * 15
    assert paired_randomization(mixed_a, mixed_b) > 0.5  # as many losses as wins
