"""Measuring a head: F1 of the check-worthy class, calibration, and the ordinary-posts rate."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier.calibration import ece
from classifier.checkworthiness.fitting import f1
from classifier.checkworthiness.head import Floats
from classifier.checkworthiness.model import CheckWorthiness
from classifier.checkworthiness.ordinary_posts import load

Ints = npt.NDArray[np.int64]
# 0.25 and 0.48: the first head's gates; 0.42: routing's urgent gate today
# (`pipeline.routing.CHECKWORTHINESS_URGENT_MIN`). The head's own threshold is added.
CANDIDATE_THRESHOLDS = (0.1, 0.2, 0.25, 0.3, 0.42, 0.48, 0.5, 0.7, 0.9)


def binary_metrics(probs: Floats, y: Ints, threshold: float) -> dict[str, Any]:
    from sklearn.metrics import average_precision_score, roc_auc_score

    pred = probs >= threshold
    tp = int(np.sum(pred & (y == 1)))
    both = len(np.unique(y)) == 2
    return {
        "n": len(y),
        "positive_share": round(float(y.mean()), 4),
        "threshold": threshold,
        "f1": round(f1(pred, y), 4),
        "precision": round(tp / max(int(pred.sum()), 1), 4),
        "recall": round(tp / max(int((y == 1).sum()), 1), 4),
        "f1_at_0.5": round(f1(probs >= 0.5, y), 4),
        "pr_auc": round(float(average_precision_score(y, probs)), 4) if both else None,
        "roc_auc": round(float(roc_auc_score(y, probs)), 4) if both else None,
        "ece": round(ece(probs, y), 4),
        "mean_score": round(float(probs.mean()), 4),
    }


def rates_above(scores: Sequence[float], thresholds: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(scores, dtype=np.float64)
    return {f"{t:g}": round(float(np.mean(arr >= t)), 4) for t in thresholds}


def ordinary_posts_report(model: CheckWorthiness) -> dict[str, Any]:
    """Share of the shipped ordinary posts (no claim) at or above each candidate threshold."""
    thresholds = sorted({*CANDIDATE_THRESHOLDS, model.threshold})
    out: dict[str, Any] = {}
    for lang in ("en", "zh"):
        scores = model.score(load(lang))
        out[lang] = {
            "n": len(scores),
            "rate_at_or_above": rates_above(scores, thresholds),
            "mean_score": round(float(np.mean(scores)), 4),
            "p95_score": round(float(np.quantile(scores, 0.95)), 4),
        }
    return out


def timing(model: CheckWorthiness, texts: Sequence[str], singles: int = 50) -> dict[str, float]:
    """ms per post: one post per call (p50) and one batched call (mean per post)."""
    sample = list(texts)
    model.score(sample[:4])  # warm-up
    per_call = []
    for text in sample[:singles]:
        start = time.perf_counter()
        model.score([text])
        per_call.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    model.score(sample)
    batched = (time.perf_counter() - start) * 1000 / max(len(sample), 1)
    return {
        "single_post_p50_ms": round(statistics.median(per_call), 2),
        "batched_ms_per_post": round(batched, 2),
        "batch_size": len(sample),
    }
