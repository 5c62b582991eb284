"""Choose the review/urgent score thresholds on labelled dev scores, to a stated policy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from classifier.thresholds import Thresholds


@dataclass(frozen=True)
class BandPolicy:
    review_recall: float = 0.90  # review band (score >= review) catches this share of false posts
    urgent_precision: float = 0.95  # of posts scored urgent, at least this share are false
    min_urgent_support: int = 50  # an urgent threshold must be backed by this many dev posts

    def describe(self) -> str:
        return (
            f"review: highest threshold whose band (score >= review) holds >= "
            f"{self.review_recall:.0%} of the false posts on dev; urgent: lowest threshold whose "
            f"band has precision >= {self.urgent_precision:.0%} on dev (>= "
            f"{self.min_urgent_support} posts), never below review"
        )


def choose_thresholds(
    scores: NDArray[np.float64], labels: NDArray[np.integer], policy: BandPolicy
) -> Thresholds:
    pos = np.sort(scores[labels == 1])
    if pos.size == 0:
        raise ValueError("dev data has no false posts; cannot choose thresholds")
    # keep ceil(recall * n) positives at or above the threshold
    k = int(np.ceil(policy.review_recall * pos.size))
    review = float(pos[pos.size - k])
    urgent = 1.0
    order = np.argsort(-scores)
    s_sorted, y_sorted = scores[order], labels[order]
    tp = np.cumsum(y_sorted)
    n = np.arange(1, len(y_sorted) + 1)
    precision = tp / n
    for i in range(len(s_sorted) - 1, -1, -1):
        # candidate threshold s_sorted[i]: band = all with score >= it (ties included)
        if i + 1 < len(s_sorted) and s_sorted[i + 1] == s_sorted[i]:
            continue
        if n[i] >= policy.min_urgent_support and precision[i] >= policy.urgent_precision:
            urgent = float(s_sorted[i])
            break
    urgent = max(urgent, review)
    return Thresholds(review=round(review, 6), urgent=round(urgent, 6), policy=policy.describe())


def band_report(
    scores: NDArray[np.float64], labels: NDArray[np.integer], th: Thresholds
) -> dict[str, float]:
    """Recall/precision/share of the review-or-higher and urgent bands."""
    rev = scores >= th.review
    urg = scores >= th.urgent
    pos = max(int(labels.sum()), 1)
    return {
        "review_or_urgent_recall": float((rev & (labels == 1)).sum() / pos),
        "review_or_urgent_precision": float(labels[rev].mean()) if rev.any() else float("nan"),
        "review_or_urgent_share": float(rev.mean()),
        "urgent_recall": float((urg & (labels == 1)).sum() / pos),
        "urgent_precision": float(labels[urg].mean()) if urg.any() else float("nan"),
        "urgent_share": float(urg.mean()),
    }
