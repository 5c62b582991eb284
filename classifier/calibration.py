"""Probability calibration on the logit margin, ECE and the reliability diagram.

The model's two logits are reduced to one margin `z = logit_false - logit_true`; the calibrated
score is `sigmoid(a * z + b)`. With `b = 0` this is temperature scaling (`T = 1 / a`); fitting
`b` as well (Platt scaling on the margin) also corrects a shifted base rate.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from classifier.io import read_json, write_json

Floats = NDArray[np.float64]


def log_odds(p: NDArray[np.floating]) -> Floats:
    """log(p / (1 - p)), with p clipped to [1e-6, 1 - 1e-6] so it stays finite."""
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.asarray(np.log(q / (1 - q)), dtype=np.float64)


@dataclass(frozen=True)
class Calibration:
    a: float = 1.0
    b: float = 0.0
    kind: str = "identity"
    # optional monotone piecewise-linear map applied after the sigmoid (centred isotonic fit)
    knots_x: tuple[float, ...] = ()
    knots_y: tuple[float, ...] = ()

    @property
    def temperature(self) -> float:
        return 1.0 / self.a

    def apply(self, margin: Floats) -> Floats:
        z = np.clip(self.a * np.asarray(margin, dtype=np.float64) + self.b, -50.0, 50.0)
        p = np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)
        if self.knots_x:
            p = np.interp(p, self.knots_x, self.knots_y)
        return p

    def logit(self, margin: Floats) -> Floats:
        """Calibrated log-odds (finite), e.g. for occlusion weights."""
        return log_odds(self.apply(margin))

    def head_config(self) -> dict[str, Any]:
        """The scaling as a head's config stores it (kind, a, b; no isotonic knots)."""
        return {"kind": self.kind, "a": self.a, "b": self.b}

    @classmethod
    def from_head_config(cls, raw: dict[str, Any]) -> Calibration:
        return cls(a=float(raw["a"]), b=float(raw["b"]), kind=str(raw["kind"]))

    def dump(self, path: Path) -> None:
        data = {**asdict(self), "temperature": self.temperature}
        write_json(path, data)

    @classmethod
    def load(cls, path: Path) -> Calibration:
        raw = read_json(path)
        return cls(
            a=float(raw["a"]),
            b=float(raw["b"]),
            kind=str(raw.get("kind", "")),
            knots_x=tuple(float(x) for x in raw.get("knots_x", ())),
            knots_y=tuple(float(y) for y in raw.get("knots_y", ())),
        )


def fit_isotonic_on_top(base: Calibration, z: Floats, labels: NDArray[np.integer]) -> Calibration:
    """Centred isotonic regression of the labels on `base`'s probabilities: one knot per
    isotonic block (at the block's mean score), linear in between, so ranking stays strict."""
    from sklearn.isotonic import IsotonicRegression

    p = base.apply(z)
    order = np.argsort(p)
    ps, ys = p[order], labels[order].astype(np.float64)
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0).fit_transform(ps, ys)
    xs: list[float] = []
    vs: list[float] = []
    start = 0
    for i in range(1, len(ps) + 1):
        if i == len(ps) or fitted[i] != fitted[start]:
            xs.append(float(ps[start:i].mean()))
            vs.append(float(np.clip(fitted[start], 1e-4, 1 - 1e-4)))
            start = i
    return Calibration(
        a=base.a, b=base.b, kind=f"{base.kind}+isotonic", knots_x=tuple(xs), knots_y=tuple(vs)
    )


def margin(logits: NDArray[np.floating]) -> Floats:
    arr = np.asarray(logits, dtype=np.float64)
    return np.asarray(arr[:, 1] - arr[:, 0], dtype=np.float64)


def nll(probs: Floats, labels: NDArray[np.integer]) -> float:
    p = np.clip(probs, 1e-12, 1 - 1e-12)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


def fit_platt(z: Floats, labels: NDArray[np.integer], *, bias: bool = True) -> Calibration:
    """Minimise NLL of sigmoid(a z + b): damped Newton with backtracking (convex, 2 params)."""
    y = labels.astype(np.float64)

    def loss(a: float, b: float) -> float:
        t = np.clip(a * z + b, -50, 50)
        return float(np.mean(np.logaddexp(0.0, t) - y * t))

    a, b = 1.0, 0.0
    cur = loss(a, b)
    for _ in range(200):
        p = 1.0 / (1.0 + np.exp(-np.clip(a * z + b, -50, 50)))
        w = p * (1 - p) + 1e-9
        g = np.array([np.mean((p - y) * z), np.mean(p - y) if bias else 0.0])
        h = np.array([[np.mean(w * z * z), np.mean(w * z)], [np.mean(w * z), np.mean(w)]])
        if not bias:
            h = np.array([[h[0, 0], 0.0], [0.0, 1.0]])
        step = np.linalg.solve(h + 1e-6 * np.eye(2), g)
        t = 1.0
        while t > 1e-6:
            na, nb = a - t * float(step[0]), b - t * float(step[1])
            new = loss(na, nb)
            if new <= cur:
                break
            t /= 2
        else:
            break
        done = cur - new < 1e-12
        a, b, cur = na, nb, new
        if done:
            break
    return Calibration(a=a, b=b, kind="platt" if bias else "temperature")


def ece(probs: Floats, labels: NDArray[np.integer], bins: int = 15) -> float:
    """Top-label expected calibration error with equal-width bins on the confidence."""
    pred = (probs >= 0.5).astype(int)
    conf = np.where(pred == 1, probs, 1 - probs)
    correct = (pred == labels).astype(np.float64)
    edges = np.linspace(0.5, 1.0, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        sel = (conf > lo) & (conf <= hi) if lo > 0.5 else (conf >= lo) & (conf <= hi)
        if sel.any():
            total += float(sel.mean()) * abs(float(correct[sel].mean()) - float(conf[sel].mean()))
    return total


def reliability_bins(
    probs: Floats, labels: NDArray[np.integer], bins: int = 15
) -> list[tuple[float, float, int]]:
    """(mean score, fraction false, count) per equal-width bin of the score."""
    idx = np.minimum((probs * bins).astype(int), bins - 1)
    out: list[tuple[float, float, int]] = []
    for k in range(bins):
        sel = idx == k
        if sel.any():
            out.append((float(probs[sel].mean()), float(labels[sel].mean()), int(sel.sum())))
    return out


def plot_reliability(
    curves: dict[str, tuple[Floats, NDArray[np.integer]]], path: Path, bins: int = 15
) -> None:
    """Reliability diagram (score vs observed fraction false), one line per named curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 5.0), dpi=110)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect")
    for name, (probs, labels) in curves.items():
        pts = reliability_bins(probs, labels, bins)
        xs, ys, ns = zip(*pts, strict=True) if pts else ((), (), ())
        sizes = [max(8.0, 60 * math.sqrt(n / max(ns))) for n in ns]
        label = f"{name} (ECE {ece(probs, labels, bins):.3f})"
        ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.2, label=label)
        ax.scatter(xs, ys, s=sizes, alpha=0.35)
    ax.set_xlabel("calibrated score (probability false)")
    ax.set_ylabel("observed fraction false")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(f"Reliability ({bins} bins)")
    ax.legend(loc="upper left", fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
