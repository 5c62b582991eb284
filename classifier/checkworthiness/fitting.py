"""Fitting the head: out-of-fold model choice, Platt scaling and a candidate threshold.

Everything here is chosen on training data only (out of fold): linear or MLP, regularisation,
how the three sets are weighted, the calibration and the threshold. Dev splits are only
scored afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from classifier.calibration import fit_platt
from classifier.checkworthiness.head import Head
from classifier.checkworthiness.net import Floats, Ints, Net, fit_net

log = logging.getLogger(__name__)
Strs = npt.NDArray[np.str_]


@dataclass(frozen=True)
class Choice:
    c: float  # inverse L2 strength (LR's C; the MLP's alpha is 1/c)
    weighting: str  # "natural" or "per_source" (each set carries the same total weight)
    hidden: int = 0  # 0: logistic regression; else one ReLU layer this wide
    members: int = 1  # MLPs averaged (`fit_net`)

    def describe(self) -> dict[str, object]:
        more = {"members": self.members} if self.members > 1 else {}
        return {"c": self.c, "weighting": self.weighting, "hidden": self.hidden, **more}

    def fit(self, x: Floats, y: Ints, w: Floats) -> Net:
        return fit_net(x, y, w, c=self.c, hidden=self.hidden, members=self.members)


def sample_weights(sources: Strs, weighting: str) -> Floats:
    if weighting == "natural":
        return np.ones(len(sources), dtype=np.float64)
    names, counts = np.unique(sources, return_counts=True)
    per = {n: len(sources) / (len(names) * c) for n, c in zip(names, counts, strict=True)}
    return np.array([per[s] for s in sources], dtype=np.float64)


def out_of_fold(x: Floats, y: Ints, sources: Strs, choice: Choice, folds: int, seed: int) -> Floats:
    """Each training row's margin from a model that did not see it (folds stratified by set
    and label)."""
    from sklearn.model_selection import StratifiedKFold

    strata = np.char.add(sources.astype(str), y.astype(str))
    w = sample_weights(sources, choice.weighting)
    out = np.zeros(len(y), dtype=np.float64)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for fit_idx, held_idx in splitter.split(x, strata):
        net = choice.fit(x[fit_idx], y[fit_idx], w[fit_idx])
        out[held_idx] = net.margin(x[held_idx])
    return out


def per_source_ap(margins: Floats, y: Ints, sources: Strs) -> float:
    """Mean over sets of average precision: threshold-free, and no set dominates by size."""
    from sklearn.metrics import average_precision_score

    names = np.unique(sources)
    return float(
        np.mean([average_precision_score(y[sources == s], margins[sources == s]) for s in names])
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
    lexical: Sequence[str],
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
        log.info("%s: out-of-fold mean AP %.4f", choice.describe(), ap)
        scored.append((ap, choice, oof))
    best_ap, best, oof = max(scored, key=lambda t: t[0])
    calibration = fit_platt(oof, y)
    threshold = choose_threshold(calibration.apply(oof), y, sources)
    w = sample_weights(sources, best.weighting)
    net = best.fit(x, y, w)
    head = Head(net, calibration, encoder, tuple(lexical), threshold)
    selection: dict[str, object] = {
        "folds": folds,
        "grid": [{**ch.describe(), "oof_mean_ap": round(ap, 4)} for ap, ch, _ in scored],
        "chosen": {**best.describe(), "oof_mean_ap": round(best_ap, 4)},
        "chosen_choice": best,
        "threshold": threshold,
    }
    return head, selection
