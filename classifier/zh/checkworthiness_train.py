"""`veracity zh checkworthiness-train`: fit and measure the Chinese check-worthiness head.

Reads the Weibo sets (`--data-dir`) and the unpacked negatives packages (`--negatives-dir`, see
`classifier.zh.checkworthiness`); embeds with the shipped encoder (cached under `--cache-dir`);
writes `head.npz`, `config.json` and `metrics.json` to `--out`. Held-out rows (the sets'
held-out splits, the held-out fifth of the negatives) are scored once, after every choice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from classifier.zh.checkworthiness import (
    CONFIG_FILE,
    GATE,
    METRICS_FILE,
    RECALL_TARGET,
    fit_head,
    is_heldout_negative,
    load_negatives,
    passing,
)
from classifier.zh.data import SETS, TRAIN, load_rows
from classifier.zh.encoder import ZhEncoder
from classifier.zh.train import embed_cached


def train_checkworthiness(
    data_dir: Path,
    negatives_dir: Path,
    encoder_dir: Path,
    out: Path,
    cache_dir: Path,
    *,
    version: str,
    threads: int = 1,
) -> dict[str, Any]:
    encoder = ZhEncoder(encoder_dir, pooling="mean", max_tokens=128, threads=threads)
    rows = load_rows(data_dir)
    pos_emb = embed_cached(encoder, [r.text for r in rows], cache_dir)
    negatives = load_negatives(negatives_dir)
    neg_emb = embed_cached(encoder, [t for t, _ in negatives], cache_dir)
    pos_train = np.array([r.split == TRAIN for r in rows])
    neg_held = np.array([is_heldout_negative(t) for t, _ in negatives])
    x = np.concatenate([pos_emb[pos_train], neg_emb[~neg_held]])
    y = np.concatenate(
        [np.ones(int(pos_train.sum()), np.int64), np.zeros(int((~neg_held).sum()), np.int64)]
    )
    fitted = fit_head(x, y, version)
    head = fitted.head
    head.save(out)

    pos_scores = head.score(pos_emb)
    neg_scores = head.score(neg_emb)
    sets = np.array([r.set for r in rows])
    labels = np.array([r.label for r in rows])
    held = ~pos_train
    heldout: dict[str, Any] = {}
    for name in SETS:
        mask = held & (sets == name)
        fake = mask & (labels == 1)
        heldout[name] = {
            "n": int(mask.sum()),
            "passing": round(passing(pos_scores[mask]), 4),
            "n_false": int(fake.sum()),
            "false_passing": round(passing(pos_scores[fake]), 4),
            "false_dropped": int((pos_scores[fake] < GATE).sum()),
        }
    sources = np.array([s.split("/")[0] for _, s in negatives])
    everyday: dict[str, Any] = {}
    for source in sorted(set(sources)):
        mask = neg_held & (sources == source)
        everyday[source] = {"n": int(mask.sum()), "passing": round(passing(neg_scores[mask]), 4)}
    metrics: dict[str, Any] = {
        "model_version": version,
        "train": {
            "claims": int(pos_train.sum()),
            "everyday": int((~neg_held).sum()),
            "c": fitted.c,
            "oof_log_loss_by_c": fitted.grid,
            "threshold_calibrated": round(fitted.threshold, 6),
            "oof_claims_passing": round(fitted.oof_recall, 4),
            "oof_everyday_passing": round(fitted.oof_negatives_passing, 4),
        },
        "heldout_claims": heldout,
        "heldout_everyday": everyday,
    }
    config = {
        "model_version": version,
        "language": "zh",
        "encoder": encoder.name,
        "pooling": "mean",
        "max_tokens": 128,
        "gate": GATE,
        "recall_target": RECALL_TARGET,
        "head": "LR (balanced) on the mean-pooled bge-small-zh vector, Platt-calibrated out of "
        "fold, log-odds shifted so the train out-of-fold 5th percentile of claim posts = gate",
        "supports_urgent": False,
        "command": (
            f"veracity zh checkworthiness-train --data-dir {data_dir} "
            f"--negatives-dir {negatives_dir} --encoder-dir {encoder_dir} --out {out}"
        ),
    }
    (out / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (out / METRICS_FILE).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics
