"""The head measured the way `veracity evaluate` measures the shipped model (classifier.training.suite).

- `shared_head_loso`: for each set, a head trained on the *other* sets' fit parts (both text
  forms, dataset-balanced, calibrated across those sets) scores the held-out set's evaluation
  part, on the original text and on its de-styled rewrite;
- `shared_head_all_sets`: a head trained on every set's fit part scores each evaluation part
  (the in-domain figure, e.g. Constraint Val weighted F1).

Rows have the suite's shape (`classifier.training.suite.set_metrics`); `in_domain` keeps the suite's
meaning for LOSO rows (the *shipped* model's training sets), so the means over out-of-domain
sets compare with the model card's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifier.shared_head.data import VARIANTS, Rows
from classifier.shared_head.head import FalsehoodHead
from classifier.shared_head.store import VectorStore
from classifier.shared_head.training import train_head
from classifier.training.evalsets import EvalSet
from classifier.training.suite import by_method_and_text, metric_row

log = logging.getLogger(__name__)
LOSO, ALL_SETS = "shared_head_loso", "shared_head_all_sets"


def fit_on(
    sets: Sequence[EvalSet], store: VectorStore, *, label_balanced: bool = True
) -> tuple[FalsehoodHead, dict[str, object]]:
    """A head trained on these sets' fit parts, both text forms."""
    fit = [e for s in sets for e in s.fit]
    rows = Rows.of(fit, VARIANTS)
    x = store.vectors(rows.texts, "fit parts").astype(np.float64)
    return train_head(
        x,
        rows.labels,
        rows.sources,
        encoder=store.embedder.name,
        label_balanced=label_balanced,
    )


def _row(s: EvalSet, method: str, variant: str, in_domain: bool, probs: Any) -> dict[str, Any]:
    return metric_row(s.name, in_domain, method, variant, probs, Rows.of(s.eval, [variant]).labels)


def score_eval(head: FalsehoodHead, s: EvalSet, variant: str, store: VectorStore) -> Any:
    rows = Rows.of(s.eval, [variant])
    return head.probability(store.vectors(rows.texts, f"{s.name} {variant}"))


def head_rows(
    sets: Sequence[EvalSet],
    store: VectorStore,
    in_domain: set[str],
    *,
    all_sets: bool = True,
    label_balanced: bool = True,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """LOSO rows (and, with `all_sets`, the in-domain rows) and what each head chose."""
    rows: list[dict[str, Any]] = []
    details: dict[str, Any] = {}
    for held in sets:
        others = [s for s in sets if s is not held and s.fit]
        if not held.eval or not others:
            continue
        log.info("LOSO: %s held out", held.name)
        head, sel = fit_on(others, store, label_balanced=label_balanced)
        details[held.name] = {**sel, "calibration": _cal(head), "thresholds": _th(head)}
        for variant in VARIANTS:
            p = score_eval(head, held, variant, store)
            rows.append(_row(held, LOSO, variant, held.name in in_domain, p))
    if all_sets:
        head, sel = fit_on([s for s in sets if s.fit], store, label_balanced=label_balanced)
        details["all_sets"] = {**sel, "calibration": _cal(head), "thresholds": _th(head)}
        for s in sets:
            for variant in VARIANTS:
                if s.eval:
                    rows.append(
                        _row(s, ALL_SETS, variant, True, score_eval(head, s, variant, store))
                    )
    return rows, details


def _cal(head: FalsehoodHead) -> dict[str, float]:
    return {"a": round(head.calibration.a, 4), "b": round(head.calibration.b, 4)}


def _th(head: FalsehoodHead) -> dict[str, float]:
    return {"review": head.thresholds.review, "urgent": head.thresholds.urgent}


def extra_means(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> dict[str, Any]:
    """Per method and text: mean ECE / AUC / flagged-false over `names` (the sets the shipped
    model never saw, to set beside its card) and over every set."""
    res: dict[str, Any] = {}
    for method, by_text in by_method_and_text(rows).items():
        for text, rs in by_text.items():
            some = [r for r in rs if r["set"] in names]
            res.setdefault(method, {})[text] = {
                "sets": [r["set"] for r in some],
                **_means(some, ""),
                **_means(rs, "_every_set"),
            }
    return res


def _means(rs: Sequence[dict[str, Any]], suffix: str) -> dict[str, float | None]:
    def mean(key: str) -> float | None:
        vals = [r[key] for r in rs if r[key] is not None]
        return round(float(np.mean(vals)), 4) if vals else None

    return {f"mean_{k}{suffix}": mean(k) for k in ("ece", "auc", "flagged_false", "weighted_f1")}


def suite_rows(
    sets: Sequence[EvalSet], in_domain: set[str], cache: Path | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`head_rows` with the newest claim matcher's encoder (`veracity evaluate --shared-head`)."""
    from classifier.checkworthiness.encoder import load_encoder, newest_matcher_dir

    return head_rows(sets, VectorStore(load_encoder(newest_matcher_dir()), cache), in_domain)
