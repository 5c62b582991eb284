"""Training the head without the shortcuts the fine-tuned model learned.

- Inputs: the shared encoder's vectors of the post as intake reads it (links and '#'/'@' marks
  already gone) and of its de-styled rewrite: every fit post appears in both forms.
- Each training set carries the same total weight (dataset-balanced), split equally between its
  false and true posts, so a set's base rate is not learnable from the set's register or topic;
  the calibration (fitted with equal weight per set only) restores an average base rate.
- Model choice (logistic regression strength, or a small MLP) and the calibration are chosen on
  *cross-set* margins: each training set scored by a head fitted on the other training sets,
  so the calibration learns how sure the head may be on a set it never saw, not on its own
  training domain. The calibration is Platt scaling on those margins, each set weighted
  equally. Band thresholds are chosen on the same cross-set calibrated scores.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from classifier.calibration import Calibration
from classifier.checkworthiness.fitting import sample_weights
from classifier.checkworthiness.net import Floats, Ints, fit_net
from classifier.shared_head.data import Strs
from classifier.shared_head.head import FalsehoodHead
from classifier.thresholds import Thresholds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Choice:
    c: float  # LR's C (inverse L2 strength); the MLP's alpha is 1 / c
    hidden: int = 0  # 0: logistic regression

    def describe(self) -> dict[str, float | int]:
        return {"c": self.c, "hidden": self.hidden}


CHOICES = (Choice(0.003), Choice(0.03), Choice(0.3), Choice(1.0, hidden=64))
MIN_MLP_ROWS = 200  # fewer rows: an MLP's early-stopping slice would be a handful of posts


def balanced(sources: Strs, labels: Ints | None = None) -> Floats:
    """Each set the same total weight; with `labels`, each set's false and true posts too
    (half each), so a set's base rate cannot be learned from its style or topic."""
    if labels is None:
        return sample_weights(sources, "per_source")
    cells = np.char.add(sources.astype(str), labels.astype(str))
    w = sample_weights(cells, "per_source")
    per_set = balanced(sources)
    for name in np.unique(sources):  # sets with one label keep the weight of a whole set
        rows = sources == name
        w[rows] *= per_set[rows].sum() / w[rows].sum()
    return w


def cross_set_margins(
    x: Floats, y: Ints, sources: Strs, choice: Choice, label_balanced: bool = True
) -> Floats:
    """Each row's margin from a head fitted on the *other* sets only."""
    out = np.zeros(len(y), dtype=np.float64)
    for name in np.unique(sources):
        held = sources == name
        w = balanced(sources[~held], y[~held] if label_balanced else None)
        net = fit_net(x[~held], y[~held], w, c=choice.c, hidden=choice.hidden)
        out[held] = net.margin(x[held])
    return out


def mean_set_auc(margins: Floats, y: Ints, sources: Strs) -> float:
    from sklearn.metrics import roc_auc_score

    aucs = [
        roc_auc_score(y[sources == s], margins[sources == s])
        for s in np.unique(sources)
        if len(np.unique(y[sources == s])) == 2
    ]
    return float(np.mean(aucs)) if aucs else 0.5


def fit_weighted_platt(z: Floats, y: Ints, w: Floats) -> Calibration:
    """sigmoid(a z + b) by weighted maximum likelihood (each set's rows weighted equally),
    with a >= 0: where the margins rank *against* the labels on unseen sets, the honest answer
    is no ranking at all (a = 0, every post at the weighted base rate), not a flipped one."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000).fit(z[:, None], y, sample_weight=w)
    a, b = float(lr.coef_[0][0]), float(lr.intercept_[0])
    if a < 0:
        rate = float(np.clip(np.average(y, weights=w), 1e-6, 1 - 1e-6))
        a, b = 0.0, float(np.log(rate / (1 - rate)))
    return Calibration(a=a, b=b, kind="platt_cross_set")


def choose_thresholds(probs: Floats, y: Ints) -> Thresholds:
    """The shipped model's policy, on cross-set scores: review = the highest threshold whose
    band still holds >= 90% of false posts; urgent = the lowest threshold whose band has
    precision >= 95% (>= 50 posts), never below review; 1.0 (no urgent band) if none has."""
    grid = np.round(np.arange(0.01, 1.0, 0.01), 2)
    recall = [float(np.mean(probs[y == 1] >= t)) for t in grid]
    review = float(max((t for t, r in zip(grid, recall, strict=True) if r >= 0.9), default=0.5))
    urgent = 1.0
    for t in grid[grid >= review]:
        band = probs >= t
        if band.sum() >= 50 and float(np.mean(y[band])) >= 0.95:
            urgent = float(t)
            break
    policy = (
        "review: highest threshold whose band holds >= 90% of the false posts; urgent: lowest "
        "threshold whose band has precision >= 95% (>= 50 posts), else 1.0; both on cross-set "
        "calibrated scores of the training sets' fit parts (each set scored by a head that did "
        "not see it)"
    )
    return Thresholds(review, max(urgent, review), policy)


def train_head(
    x: Floats,
    y: Ints,
    sources: Strs,
    *,
    encoder: str,
    choices: Sequence[Choice] = CHOICES,
    label_balanced: bool = True,
) -> tuple[FalsehoodHead, dict[str, object]]:
    """Choose by cross-set mean AUC, calibrate and set thresholds on cross-set margins, then
    refit the chosen net on every row (dataset-balanced; `label_balanced`: each set's false and
    true posts weighted equally too)."""
    w = balanced(sources)
    multi = len(np.unique(sources)) > 1
    usable = [c for c in choices if c.hidden == 0 or len(y) >= MIN_MLP_ROWS] or [Choice(0.03)]
    scored: list[tuple[float, Choice, Floats]] = []
    for choice in usable if multi else usable[:1]:
        z = cross_set_margins(x, y, sources, choice, label_balanced) if multi else np.zeros(len(y))
        auc = mean_set_auc(z, y, sources) if multi else 0.5
        log.info("%s: cross-set mean AUC %.4f", choice.describe(), auc)
        scored.append((auc, choice, z))
    best_auc, best, z = max(scored, key=lambda t: t[0])
    fit_w = balanced(sources, y if label_balanced else None)
    net = fit_net(x, y, fit_w, c=best.c, hidden=best.hidden)
    if not multi:  # one set: no cross-set view, fall back to in-sample margins
        z = net.margin(x)
    calibration = fit_weighted_platt(z, y, w)
    thresholds = choose_thresholds(calibration.apply(z), y)
    head = FalsehoodHead(net, calibration, encoder, thresholds)
    selection: dict[str, object] = {
        "grid": [{**ch.describe(), "cross_set_mean_auc": round(a, 4)} for a, ch, _ in scored],
        "chosen": {**best.describe(), "cross_set_mean_auc": round(best_auc, 4)},
        "trained_on": sorted(str(s) for s in np.unique(sources)),
        "rows": len(y),
        "weighting": "per set and label" if label_balanced else "per set",
    }
    return head, selection
