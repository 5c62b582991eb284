"""Classification metrics shared by training (model card) and `veracity evaluate`."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from classifier.calibration import ece


def compute_metrics(
    probs: NDArray[np.float64], labels: NDArray[np.integer], threshold: float = 0.5
) -> dict[str, Any]:
    from sklearn.metrics import (
        accuracy_score,
        average_precision_score,
        confusion_matrix,
        f1_score,
        roc_auc_score,
    )

    pred = (probs >= threshold).astype(int)
    both = len(set(labels.tolist())) == 2
    cm = confusion_matrix(labels, pred, labels=[0, 1])
    return {
        "n": len(labels),
        "positive_share": round(float(labels.mean()), 4) if len(labels) else 0.0,
        "accuracy": round(float(accuracy_score(labels, pred)), 4),
        "weighted_f1": round(float(f1_score(labels, pred, average="weighted")), 4),
        "f1_false_class": round(float(f1_score(labels, pred, zero_division=0)), 4),
        "roc_auc": round(float(roc_auc_score(labels, probs)), 4) if both else None,
        "pr_auc": round(float(average_precision_score(labels, probs)), 4) if both else None,
        "ece": round(ece(probs, labels), 4),
        "confusion_matrix": {
            "labels": ["true (0)", "false (1)"],
            "rows_actual_cols_predicted": cm.tolist(),
        },
    }


def per_source(
    probs: NDArray[np.float64], labels: NDArray[np.integer], sources: NDArray[np.str_]
) -> dict[str, dict[str, Any]]:
    out = {"all": compute_metrics(probs, labels)}
    for name in sorted(set(sources.tolist())):
        sel = sources == name
        out[name] = compute_metrics(probs[sel], labels[sel])
    return out
