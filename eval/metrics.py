"""Ranking metrics at a cut-off: MRR, nDCG (graded gains) and recall."""

from __future__ import annotations

import math
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
