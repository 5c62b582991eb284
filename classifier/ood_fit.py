"""Choosing the out-of-domain layer's parameters (see `classifier.ood`) on fit parts only.

`d_ref` is a quantile of the distances of the model's own training posts; `scale` a multiple
of their spread; `prior` the score a far post is pulled toward. The grid point with the lowest
mean ECE over the given sets (each set weighs the same, however large) wins; ties go to the
gentler layer (higher quantile, larger scale) because it changes in-domain scores least.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from classifier.calibration import ece
from classifier.ood import Floats, Gaussian, OodLayer, shrink, weight_from_distance

QUANTILES = (0.5, 0.75, 0.9, 0.95, 0.99)
SCALES = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4)  # times the training distances' std
PRIORS = tuple(round(0.3 + 0.05 * k, 2) for k in range(9))  # 0.30 .. 0.70


@dataclass(frozen=True)
class FitPart:
    """One set's fit part as the layer sees it: base scores, distances, labels."""

    name: str
    probs: Floats
    dist: Floats
    labels: NDArray[np.int64]


def fit_layer(
    gaussian: Gaussian, train_dist: Floats, parts: Sequence[FitPart], flag_below: float = 0.5
) -> OodLayer:
    spread = float(np.std(train_dist)) or 1.0
    best: tuple[tuple[float, ...], float, float, float, float] | None = None
    for q, k, prior in itertools.product(QUANTILES, SCALES, PRIORS):
        d_ref, scale = float(np.quantile(train_dist, q)), k * spread
        loss = float(
            np.mean(
                [
                    ece(
                        shrink(p.probs, weight_from_distance(p.dist, d_ref, scale), prior), p.labels
                    )
                    for p in parts
                ]
            )
        )
        key = (round(loss, 6), -q, -k, abs(prior - 0.5))
        if best is None or key < best[0]:
            best = (key, loss, q, k, prior)
    assert best is not None
    _, loss, q, k, prior = best
    meta = {
        "objective": "mean ECE (15 bins) over the fit sets, each weighted equally",
        "fit_sets": [p.name for p in parts],
        "objective_value": round(loss, 4),
        "d_ref_quantile": q,
        "scale_times_std": k,
    }
    return OodLayer(
        gaussian, float(np.quantile(train_dist, q)), k * spread, prior, flag_below, meta
    )
