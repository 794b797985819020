"""Ranking metrics at a cut-off: MRR, nDCG (graded gains) and recall."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

CUTOFF = 10


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int], k: int = CUTOFF) -> float:
    for rank, doc_id in enumerate(ranked[:k], start=1):
        if relevant.get(doc_id, 0) > 0:
            return 1.0 / rank
    return 0.0


def ndcg(ranked: Sequence[str], relevant: Mapping[str, int], k: int = CUTOFF) -> float:
    gains = [relevant.get(doc_id, 0) for doc_id in ranked[:k]]
    dcg = sum((2**gain - 1) / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))
    ideal = sorted((gain for gain in relevant.values() if gain > 0), reverse=True)[:k]
    idcg = sum((2**gain - 1) / math.log2(rank + 1) for rank, gain in enumerate(ideal, start=1))
    return dcg / idcg if idcg else 0.0


def recall(ranked: Sequence[str], relevant: Mapping[str, int], k: int = CUTOFF) -> float:
    wanted = {doc_id for doc_id, gain in relevant.items() if gain > 0}
    return len(wanted.intersection(ranked[:k])) / len(wanted) if wanted else 0.0


PERMUTATIONS = 10_000


def paired_randomization(ours: Sequence[float], theirs: Sequence[float], seed: int = 7) -> float:
    """Two-sided p-value that two systems' per-query scores differ only by chance (paired randomization test).

    Under the null hypothesis either system could have produced either score of a query, so each
    permutation swaps each pair with probability 1/2; p is the share of permutations whose mean
    difference is at least as large (in absolute value) as the one observed, with the usual +1 correction.
    """
    differences = [a - b for a, b in zip(ours, theirs, strict=True) if a != b]
    if not differences:
        return 1.0
    observed = abs(sum(differences))
    rng = random.Random(seed)  # noqa: S311 - a reproducible test, not security
    extreme = 0
    for _ in range(PERMUTATIONS):
        total = sum(d if rng.random() < 0.5 else -d for d in differences)
        if abs(total) >= observed - 1e-12:
            extreme += 1
    return (extreme + 1) / (PERMUTATIONS + 1)
