"""`veracity zh checkworthiness-train`: fit and measure the Chinese check-worthiness head.

Reads the Weibo sets (`--data-dir`), the unpacked negatives packages (`--negatives-dir`, see
`classifier.zh.checkworthiness`) and the generated everyday posts
(`classifier.zh.everyday_posts`, `--generated-per-template` of each template); embeds with the
shipped encoder (mean-pooled and CLS vectors of one pass, cached under `--cache-dir`); writes
`head.npz`, `config.json` and `metrics.json` to `--out`. Held-out rows (the sets' held-out
splits, the held-out fifth of the package negatives, the generated dev templates) are scored
once, after every choice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier.checkworthiness.features import prepare
from classifier.io import write_json
from classifier.zh.checkworthiness import (
    CLAIMS_SOURCE,
    CONFIG_FILE,
    GATE,
    METRICS_FILE,
    POOLINGS,
    RECALL_TARGET,
    fit_head,
    is_heldout_negative,
    load_negatives,
    passing,
)
from classifier.zh.data import SETS, TRAIN, load_rows
from classifier.zh.encoder import ZhEncoder
from classifier.zh.everyday_posts import TEMPLATES, generate, is_dev

Vectors = npt.NDArray[np.float32]
GENERATED = "generated"


def embed_both_cached(
    encoder: ZhEncoder, texts: Sequence[str], cache_dir: Path
) -> tuple[Vectors, Vectors]:
    """(mean-pooled, CLS) vectors of `texts` from one encoder pass, cached by content."""
    digest = hashlib.sha256(f"{encoder.name}:{encoder.max_tokens}:both".encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\x00")
    path = cache_dir / f"zh-both-{digest.hexdigest()[:24]}.npz"
    if path.is_file():
        with np.load(path) as cached:
            return cached["mean"], cached["cls"]
    means, clss = [], []
    for lo in range(0, len(texts), 1000):
        mean, cls = encoder.embed_both(list(texts[lo : lo + 1000]))
        means.append(mean)
        clss.append(cls)
    empty = np.zeros((0, encoder.dimensions), np.float32)
    both = (np.concatenate(means) if means else empty, np.concatenate(clss) if clss else empty)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.savez(path, mean=both[0], cls=both[1])
    return both


def _features(both: tuple[Vectors, Vectors], pooling: str) -> Vectors:
    mean, cls = both
    return mean if pooling == "mean" else np.hstack([mean, cls])


def train_checkworthiness(
    data_dir: Path,
    negatives_dir: Path,
    encoder_dir: Path,
    out: Path,
    cache_dir: Path,
    *,
    version: str,
    threads: int = 1,
    pooling: str = "mean+cls",
    weighting: str = "sources",
    generated_per_template: int = 30,
) -> dict[str, Any]:
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, not {pooling!r}")
    encoder = ZhEncoder(encoder_dir, pooling="mean", max_tokens=128, threads=threads)
    rows = load_rows(data_dir)
    # Each text as intake's head reads it (links and #/@ marks dropped: `prepare`).
    pos_emb = _features(
        embed_both_cached(encoder, [prepare(r.text) for r in rows], cache_dir), pooling
    )
    # The package negatives and the generated posts: (text, source, held out, fold group).
    negatives = [
        (text, source, is_heldout_negative(text), f"text:{text}")
        for text, source in load_negatives(negatives_dir)
    ]
    if generated_per_template > 0:
        negatives += [
            (p.text, f"{GENERATED}/{p.topic}", is_dev(TEMPLATES[p.template][1]), f"t{p.template}")
            for p in generate(generated_per_template)
        ]
    neg_emb = _features(
        embed_both_cached(encoder, [prepare(t) for t, *_ in negatives], cache_dir), pooling
    )
    pos_train = np.array([r.split == TRAIN for r in rows])
    neg_held = np.array([held for _, _, held, _ in negatives], dtype=bool)
    sources = np.array([s.split("/")[0] for _, s, _, _ in negatives])
    x = np.concatenate([pos_emb[pos_train], neg_emb[~neg_held]])
    y = np.concatenate(
        [np.ones(int(pos_train.sum()), np.int64), np.zeros(int((~neg_held).sum()), np.int64)]
    )
    train_sources = [CLAIMS_SOURCE] * int(pos_train.sum()) + list(sources[~neg_held])
    groups = [f"claim:{i}" for i in range(int(pos_train.sum()))] + [
        g for (_, _, held, g) in negatives if not held
    ]
    fitted = fit_head(
        x,
        y,
        version,
        sources=train_sources,
        groups=groups,
        weighting=weighting,
        pooling=pooling,
    )
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
    everyday: dict[str, Any] = {}
    for source in sorted(set(sources)):
        mask = neg_held & (sources == source)
        everyday[source] = {"n": int(mask.sum()), "passing": round(passing(neg_scores[mask]), 4)}
    topics = np.array([s for _, s, _, _ in negatives])
    generated_dev = {
        topic.split("/", 1)[1]: round(passing(neg_scores[neg_held & (topics == topic)]), 4)
        for topic in sorted(set(topics[sources == GENERATED]))
        if (neg_held & (topics == topic)).any()
    }
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
            "oof_everyday_passing_by_source": fitted.oof_passing_by_source,
            "pooling": pooling,
            "weighting": weighting,
            "generated_per_template": generated_per_template,
        },
        "heldout_claims": heldout,
        "heldout_everyday": everyday,
        "generated_dev_by_topic": generated_dev,
    }
    config = {
        "model_version": version,
        "language": "zh",
        "encoder": f"{encoder.name.rsplit(':', 1)[0]}:{pooling}",  # weights:pooling
        "pooling": pooling,
        "max_tokens": 128,
        "gate": GATE,
        "recall_target": RECALL_TARGET,
        "head": f"LR ({weighting}-weighted) on the {pooling} bge-small-zh vector(s), "
        "Platt-calibrated out of fold, log-odds shifted so the train out-of-fold 5th "
        "percentile of claim posts = gate",
        "supports_urgent": False,
        "command": (
            f"veracity zh checkworthiness-train --data-dir {data_dir} "
            f"--negatives-dir {negatives_dir} --encoder-dir {encoder_dir} --out {out} "
            f"--pooling {pooling} --weighting {weighting} "
            f"--generated-per-template {generated_per_template}"
        ),
    }
    write_json(out / CONFIG_FILE, config)
    write_json(out / METRICS_FILE, metrics)
    return metrics
