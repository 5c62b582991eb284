"""Fitting the head: logistic regression with out-of-fold Platt scaling and a threshold.

Everything here is chosen on training data only (out of fold): the regularisation, how the
three sets are weighted, the calibration and the candidate threshold. Dev splits are only
scored afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from classifier.calibration import Calibration, fit_platt
from classifier.checkworthiness.head import Floats, Head

log = logging.getLogger(__name__)
Ints = npt.NDArray[np.int64]
Strs = npt.NDArray[np.str_]


@dataclass(frozen=True)
class Choice:
    c: float
    weighting: str  # "natural" or "per_source" (each set carries the same total weight)


def sample_weights(sources: Strs, weighting: str) -> Floats:
    if weighting == "natural":
        return np.ones(len(sources), dtype=np.float64)
    names, counts = np.unique(sources, return_counts=True)
    per = {n: len(sources) / (len(names) * c) for n, c in zip(names, counts, strict=True)}
    return np.array([per[s] for s in sources], dtype=np.float64)


def fit_linear(x: Floats, y: Ints, w: Floats, c: float) -> tuple[Floats, Floats, Floats, float]:
    """(mean, scale, coef, intercept) of an L2 logistic regression on standardised features."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 1e-6, scale, 1.0)
    lr = LogisticRegression(C=c, max_iter=3000)
    lr.fit((x - mean) / scale, y, sample_weight=w)
    return mean, scale, lr.coef_[0].astype(np.float64), float(lr.intercept_[0])


def out_of_fold(x: Floats, y: Ints, sources: Strs, choice: Choice, folds: int, seed: int) -> Floats:
    """Each training row's margin from a model that did not see it (folds stratified by set and
    label)."""
    from sklearn.model_selection import StratifiedKFold

    strata = np.char.add(sources.astype(str), y.astype(str))
    w = sample_weights(sources, choice.weighting)
    out = np.zeros(len(y), dtype=np.float64)
    for fit_idx, held_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(
        x, strata
    ):
        mean, scale, coef, b = fit_linear(x[fit_idx], y[fit_idx], w[fit_idx], choice.c)
        out[held_idx] = ((x[held_idx] - mean) / scale) @ coef + b
    return out


def per_source_ap(margins: Floats, y: Ints, sources: Strs) -> float:
    """Mean over sets of average precision: threshold-free, and no set dominates by size."""
    from sklearn.metrics import average_precision_score

    return float(
        np.mean(
            [
                average_precision_score(y[sources == s], margins[sources == s])
                for s in np.unique(sources)
            ]
        )
    )


def f1(pred: npt.NDArray[np.bool_], y: Ints) -> float:
    tp = float(np.sum(pred & (y == 1)))
    denom = float(np.sum(pred)) + float(np.sum(y == 1))
    return 2 * tp / denom if denom else 0.0


def choose_threshold(probs: Floats, y: Ints, sources: Strs) -> float:
    """The calibrated score that maximises the mean over sets of the positive class's F1."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    names = np.unique(sources)
    means = [np.mean([f1(probs[sources == s] >= t, y[sources == s]) for s in names]) for t in grid]
    return float(grid[int(np.argmax(means))])


def fit_head(
    x: Floats,
    y: Ints,
    sources: Strs,
    *,
    encoder: str,
    feature_names: Sequence[str],
    choices: Sequence[Choice],
    folds: int = 5,
    seed: int = 13,
) -> tuple[Head, dict[str, object]]:
    """Pick the choice with the best out-of-fold per-set AP, calibrate on its out-of-fold
    margins, choose the threshold there, then refit on all of train."""
    scored: list[tuple[float, Choice, Floats]] = []
    for choice in choices:
        oof = out_of_fold(x, y, sources, choice, folds, seed)
        ap = per_source_ap(oof, y, sources)
        log.info("C=%g weighting=%s: out-of-fold mean AP %.4f", choice.c, choice.weighting, ap)
        scored.append((ap, choice, oof))
    best_ap, best, oof = max(scored, key=lambda t: t[0])
    calibration: Calibration = fit_platt(oof, y)
    oof_probs = calibration.apply(oof)
    threshold = choose_threshold(oof_probs, y, sources)
    mean, scale, coef, b = fit_linear(x, y, sample_weights(sources, best.weighting), best.c)
    head = Head(mean, scale, coef, b, calibration, encoder, tuple(feature_names), threshold)
    selection = {
        "grid": [
            {"c": ch.c, "weighting": ch.weighting, "oof_mean_ap": round(ap, 4)}
            for ap, ch, _ in scored
        ],
        "chosen": {"c": best.c, "weighting": best.weighting, "oof_mean_ap": round(best_ap, 4)},
        "threshold": threshold,
    }
    return head, selection
