"""`veracity evaluate` across sets: per set and leave-one-set-out (LOSO), on the original text
and on its de-styled rewrite (`classifier.destyle`), beside a TF-IDF + logistic-regression
reference trained on the same data.

Methods scored on every set's evaluation part:
- `model`: the shipped weights with their calibration.json, nothing else;
- `model_normalised_input`: the same on `destyle.normalise(text)` (the serving-time option);
- `model_ood_loso`: plus the out-of-domain layer (`classifier.ood`: temperature and distance
  shrink) fitted on the *other* sets' fit parts (the held-out set is never seen, not even
  unlabelled);
- `model_distance_only_loso`: the same layer with the temperature held at 1 (what the
  distance to the training posts alone achieves);
- `model_shipped_layer`: plus the layer the model directory ships, if it has one (fitted on the
  fit parts of all sets, never on an evaluation part);
- `tfidf_same_data`: TF-IDF + LR trained on the fit parts of the model's own training sets;
- `tfidf_loso`: TF-IDF + LR trained on the fit parts of all other sets (dataset-balanced);
- with `veracity evaluate --shared-head`: `shared_head_loso` / `shared_head_all_sets`, the
  falsehood head over the shared intake encoder (classifier.shared_head.evaluation).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from classifier.calibration import ece
from classifier.destyle import destyle, normalise
from classifier.ood import Gaussian, OodLayer
from classifier.serving.onnx_classifier import OnnxClassifier
from classifier.training.datasets import Example
from classifier.training.evalsets import EvalSet, subsample
from classifier.training.ood_fit import FitPart, fit_layer

Floats = NDArray[np.float64]
Labels = NDArray[np.int64]
VARIANTS = ("original", "destyled")
CHUNK = 256


@dataclass(frozen=True)
class Scored:
    """Base model outputs for a list of texts: calibrated probability and pooled features."""

    probs: Floats
    emb: NDArray[np.float32]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def score_texts(clf: OnnxClassifier, texts: Sequence[str], what: str, cache: Path | None) -> Scored:
    """Scores in chunks with progress; cached on disk by a hash of the texts and model."""
    key = hashlib.sha256("\x00".join([clf.model_version, *texts]).encode("utf-8")).hexdigest()
    path = cache / f"{key}.npz" if cache else None
    if path and path.is_file():
        raw = np.load(path)
        return Scored(raw["probs"], raw["emb"])
    probs: list[Floats] = []
    embs: list[NDArray[np.float32]] = []
    for start in range(0, len(texts), CHUNK):
        lg, emb = clf.forward(clf.encode(texts[start : start + CHUNK]))
        assert emb is not None
        z = lg.astype(np.float64)
        probs.append(clf.calibration.apply(z[:, 1] - z[:, 0]))
        embs.append(emb)
        log(f"  scoring {what}: {min(start + CHUNK, len(texts))}/{len(texts)}")
    out = Scored(np.concatenate(probs), np.concatenate(embs))
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, probs=out.probs, emb=out.emb)
    return out


def brier(probs: Floats, labels: Labels) -> float:
    return float(np.mean((probs - labels) ** 2))


def set_metrics(probs: Floats, labels: Labels) -> dict[str, Any]:
    from sklearn.metrics import f1_score, roc_auc_score

    both = len(set(labels.tolist())) == 2
    return {
        "n": len(labels),
        "positive_share": round(float(labels.mean()), 4),
        "weighted_f1": round(float(f1_score(labels, probs >= 0.5, average="weighted")), 4),
        "auc": round(float(roc_auc_score(labels, probs)), 4) if both else None,
        "ece": round(ece(probs, labels, 15), 4),
        "brier": round(brier(probs, labels), 4),
        "flagged_false": round(float(np.mean(probs >= 0.5)), 4),
    }


def metric_row(
    name: str, in_domain: bool, method: str, variant: str, probs: Floats, labels: Labels
) -> dict[str, Any]:
    """One row of the suite's table: a method's metrics on one set and text form, with the
    scores and labels the plots read (`_probs`, `_labels`)."""
    return {
        "set": name,
        "in_domain": in_domain,
        "method": method,
        "text": variant,
        **set_metrics(probs, labels),
        "_probs": probs,
        "_labels": labels,
    }


def by_method_and_text(
    rows: Sequence[dict[str, Any]],
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Rows grouped by method, then by text form, in row order."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for r in rows:
        out.setdefault(r["method"], {}).setdefault(r["text"], []).append(r)
    return out


def tfidf_probs(train: Sequence[Example], texts: Sequence[str]) -> Floats:
    """TF-IDF (words 1-2, sublinear) + logistic regression, each training set weighted equally."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=200_000)
    x = vec.fit_transform([e.text for e in train])
    y = np.array([e.label for e in train])
    counts: dict[str, int] = {}
    for e in train:
        counts[e.source] = counts.get(e.source, 0) + 1
    weights = np.array([len(train) / (len(counts) * counts[e.source]) for e in train])
    lr = LogisticRegression(C=4.0, max_iter=2000).fit(x, y, sample_weight=weights)
    return np.asarray(lr.predict_proba(vec.transform(list(texts)))[:, 1], dtype=np.float64)


@dataclass
class Context:
    clf: OnnxClassifier
    sets: list[EvalSet]
    in_domain: set[str]
    cache: Path | None
    fit_cap: int


def _texts(s: EvalSet, variant: str) -> list[str]:
    return [e.text if variant == "original" else (destyle(e.text) or e.text) for e in s.eval]


def _labels(rows: Sequence[Example]) -> Labels:
    return np.array([e.label for e in rows], dtype=np.int64)


def reference_gaussian(ctx: Context) -> tuple[Gaussian, Floats]:
    """Gaussian of the model's training posts' features, and the distances of *other* training
    posts to it (half fits, half measures: in-sample distances would be too small)."""
    own = [s for s in ctx.sets if s.name in ctx.in_domain] or ctx.sets
    rows = [e for s in own for e in subsample(s.fit, ctx.fit_cap)]
    scored = score_texts(ctx.clf, [e.text for e in rows], "training features", ctx.cache)
    half = np.array([i % 2 == 0 for i in range(len(rows))])
    gauss = Gaussian.fit(scored.emb[half])
    return gauss, gauss.distance(scored.emb[~half])


def fit_parts(ctx: Context, gauss: Gaussian) -> dict[str, FitPart]:
    parts: dict[str, FitPart] = {}
    for s in ctx.sets:
        rows = subsample(s.fit, ctx.fit_cap)
        if len({e.label for e in rows}) < 2:
            continue
        sc = score_texts(ctx.clf, [e.text for e in rows], f"{s.name} fit part", ctx.cache)
        parts[s.name] = FitPart(s.name, sc.probs, gauss.distance(sc.emb), _labels(rows))
    return parts


def run_suite(ctx: Context) -> tuple[list[dict[str, Any]], dict[str, Any], OodLayer]:
    """Rows of metrics, the LOSO details, and the layer fitted on every set's fit part."""
    gauss, train_dist = reference_gaussian(ctx)
    parts = fit_parts(ctx, gauss)
    all_fit = [e for s in ctx.sets for e in s.fit]
    own_fit = [e for s in ctx.sets if s.name in ctx.in_domain for e in s.fit]
    shipped = fit_layer(gauss, train_dist, list(parts.values()))
    rows: list[dict[str, Any]] = []
    loso: dict[str, Any] = {}
    for s in ctx.sets:
        if not s.eval:
            continue
        log(f"{s.name}: {len(s.eval)} posts")
        y = _labels(s.eval)
        others = [p for name, p in parts.items() if name != s.name]
        layer = fit_layer(gauss, train_dist, others) if others else None
        near = fit_layer(gauss, train_dist, others, temperatures=(1.0,)) if others else None
        train_other = [e for e in all_fit if e.source != s.name]
        loso[s.name] = {
            "tfidf_trained_on": sorted({e.source for e in train_other}),
            "ood_layer_fitted_on": [p.name for p in others],
            "ood_layer": _layer_params(layer),
        }
        for variant in VARIANTS:
            texts = _texts(s, variant)
            sc = score_texts(ctx.clf, texts, f"{s.name} {variant}", ctx.cache)
            probs: dict[str, Floats] = {"model": sc.probs}
            if variant == "original":
                norm = [normalise(t) or t for t in texts]
                probs["model_normalised_input"] = score_texts(
                    ctx.clf, norm, f"{s.name} normalised", ctx.cache
                ).probs
            if layer is not None and near is not None:
                probs["model_ood_loso"] = layer.apply(sc.probs, sc.emb)[0]
                probs["model_distance_only_loso"] = near.apply(sc.probs, sc.emb)[0]
            if ctx.clf.ood is not None:
                probs["model_shipped_layer"] = ctx.clf.ood.apply(sc.probs, sc.emb)[0]
            if own_fit:
                probs["tfidf_same_data"] = tfidf_probs(own_fit, texts)
            if train_other and len({e.label for e in train_other}) == 2:
                probs["tfidf_loso"] = tfidf_probs(train_other, texts)
            for method, p in probs.items():
                rows.append(metric_row(s.name, s.name in ctx.in_domain, method, variant, p, y))
    return rows, loso, shipped


def _layer_params(layer: OodLayer | None) -> dict[str, Any] | None:
    if layer is None:
        return None
    return {
        "d_ref": round(layer.d_ref, 4),
        "scale": round(layer.scale, 4),
        "prior": layer.prior,
        "temperature": layer.temperature,
        **(layer.meta or {}),
    }


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per method and text variant: mean ECE / AUC over out-of-domain sets, Constraint F1."""
    summary: dict[str, Any] = {}
    for method, by_text in by_method_and_text(rows).items():
        for text, rs in by_text.items():
            ood = [r for r in rs if not r["in_domain"]]
            own = [r for r in rs if r["in_domain"]]
            cons = [r for r in rs if r["set"] == "constraint_covid19"]
            aucs = [r["auc"] for r in ood if r["auc"] is not None]
            summary.setdefault(method, {})[text] = {
                "out_of_domain_sets": [r["set"] for r in ood],
                "mean_ece_ood": round(float(np.mean([r["ece"] for r in ood])), 4) if ood else None,
                "mean_auc_ood": round(float(np.mean(aucs)), 4) if aucs else None,
                "mean_flagged_false_ood": (
                    round(float(np.mean([r["flagged_false"] for r in ood])), 4) if ood else None
                ),
                "constraint_weighted_f1": cons[0]["weighted_f1"] if cons else None,
                "mean_ece_in_domain": (
                    round(float(np.mean([r["ece"] for r in own])), 4) if own else None
                ),
            }
    return summary
