"""The Chinese model's yes/no operating point (classifier.zh.train.choose_decision): chosen on
out-of-fold training probabilities by weighted F1, within 0.30-0.70."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.zh.train import DECISION_GRID, choose_decision


@pytest.mark.parametrize(("low", "high"), [(0.385, 0.42), (0.47, 0.52), (0.58, 0.66)])
def test_the_decision_is_the_first_cut_that_separates_separable_scores(
    low: float, high: float
) -> None:
    rng = np.random.default_rng(0)
    probs = np.concatenate([rng.uniform(high, 0.99, 300), rng.uniform(0.01, low, 300)])
    labels = np.array([1] * 300 + [0] * 300)
    perfect = [t for t in DECISION_GRID if probs[300:].max() < t <= probs[:300].min()]
    assert choose_decision(probs, labels) == perfect[0]


def test_overlapping_scores_get_the_cut_with_the_best_weighted_f1() -> None:
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 2000)
    probs = np.clip(0.35 + 0.2 * labels + rng.normal(0, 0.12, 2000), 0, 1)
    chosen = choose_decision(probs, labels)

    def f1(t: float) -> float:
        return float(f1_score(labels, (probs >= t).astype(int), average="weighted"))

    assert 0.3 <= chosen <= 0.7
    assert f1(chosen) == max(f1(t) for t in DECISION_GRID)
    assert f1(chosen) > f1(0.5)  # these scores sit low: 0.5 is not their best cut
