"""Training and measuring the Chinese falsehood head on the Weibo sets (`classifier.zh.data`).

Never run at serving time. Steps, all choices on the training split only:
1. embed every text once with the shipped int8 encoder (cached under `--cache-dir`);
2. 5-fold out-of-fold logits on train (folds stratified by set and label) for the embedding
   LR and the TF-IDF LR over a small grid of C each (`EMB_C`, `TF_C`); the C with the lowest
   out-of-fold log loss wins;
3. the stacker (Platt on the two out-of-fold logits) is the calibration;
4. bands from the out-of-fold probabilities (the policy in `choose_thresholds`);
5. the base models refitted on all of train; held-out splits scored once, per set;
6. leave one set out: the same recipe trained on the other sets' train rows, scored on the
   left-out set's held-out rows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier.zh.data import HELDOUT, SETS, TRAIN, Row, load_rows
from classifier.zh.encoder import ZhEncoder
from classifier.zh.head import StackedHead, fit_idf, tfidf
from classifier.zh.text import to_simplified

log = logging.getLogger(__name__)
EMB_C = (1.0, 4.0, 16.0, 64.0)  # inverse L2 strength for the embedding LR
TF_C = (4.0, 16.0, 64.0, 256.0)  # and for the TF-IDF LR (sparse, many columns)
FOLDS = 5
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass
class Data:
    rows: list[Row]
    simplified: list[str]
    emb: npt.NDArray[np.float32]
    labels: Ints
    sets: npt.NDArray[np.str_]
    train: Ints  # row indices
    heldout: Ints


def embed_cached(encoder: ZhEncoder, texts: Sequence[str], cache_dir: Path) -> npt.NDArray[Any]:
    digest = hashlib.sha256(f"{encoder.name}:{encoder.max_tokens}".encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\x00")
    path = cache_dir / f"zh-emb-{digest.hexdigest()[:24]}.npy"
    if path.is_file():
        cached: npt.NDArray[Any] = np.load(path)
        return cached
    start, parts = time.perf_counter(), []
    for lo in range(0, len(texts), 1000):
        parts.append(encoder.embed(list(texts[lo : lo + 1000])))
        log.info(
            "embedded %d/%d (%.0fs)", lo + len(parts[-1]), len(texts), time.perf_counter() - start
        )
    vectors = np.concatenate(parts) if parts else np.zeros((0, encoder.dimensions), np.float32)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def load_data(data_dir: Path, encoder: ZhEncoder, cache_dir: Path) -> Data:
    rows = load_rows(data_dir)
    texts = [r.text for r in rows]
    split = np.array([r.split for r in rows])
    return Data(
        rows=rows,
        simplified=[to_simplified(t) for t in texts],
        emb=embed_cached(encoder, texts, cache_dir),
        labels=np.array([r.label for r in rows], dtype=np.int64),
        sets=np.array([r.set for r in rows]),
        train=np.flatnonzero(split == TRAIN),
        heldout=np.flatnonzero(split == HELDOUT),
    )


def _lr(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000, solver="liblinear")


@dataclass
class Base:
    emb_c: float
    tf_c: float


def _folds(data: Data, idx: Ints, seed: int) -> list[tuple[Ints, Ints]]:
    from sklearn.model_selection import StratifiedKFold

    strata = np.array([f"{data.sets[i]}:{data.labels[i]}" for i in idx])
    kf = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    return [(idx[a], idx[b]) for a, b in kf.split(idx, strata)]


def _oof(data: Data, idx: Ints, seed: int, base: Base | None) -> tuple[Base, Floats, Floats]:
    """(chosen C's, out-of-fold z_emb, out-of-fold z_tf) over `idx`."""
    from sklearn.metrics import log_loss

    folds = _folds(data, idx, seed)
    pos = {int(i): k for k, i in enumerate(idx)}
    y = data.labels[idx]
    grid_emb = (base.emb_c,) if base else EMB_C
    grid_tf = (base.tf_c,) if base else TF_C
    results: dict[tuple[str, float], Floats] = {}
    for fit_idx, out_idx in folds:
        idf = fit_idf([data.simplified[i] for i in fit_idx])
        x_tf_fit = tfidf([data.simplified[i] for i in fit_idx], idf)
        x_tf_out = tfidf([data.simplified[i] for i in out_idx], idf)
        rows_out = [pos[int(i)] for i in out_idx]
        for kind, grid in (("emb", grid_emb), ("tf", grid_tf)):
            for c in grid:
                model = _lr(c)
                if kind == "emb":
                    model.fit(data.emb[fit_idx], data.labels[fit_idx])
                    z = model.decision_function(data.emb[out_idx])
                else:
                    model.fit(x_tf_fit, data.labels[fit_idx])
                    z = model.decision_function(x_tf_out)
                results.setdefault((kind, c), np.zeros(len(idx)))[rows_out] = z

    def best(kind: str, grid: Sequence[float]) -> float:
        losses = {c: log_loss(y, 1 / (1 + np.exp(-results[(kind, c)]))) for c in grid}
        log.info("%s C -> OOF log loss %s", kind, {c: round(v, 4) for c, v in losses.items()})
        return min(losses, key=lambda c: losses[c])

    chosen = Base(best("emb", grid_emb), best("tf", grid_tf))
    return chosen, results[("emb", chosen.emb_c)], results[("tf", chosen.tf_c)]


def _stacker(z_emb: Floats, z_tf: Floats, y: Ints) -> tuple[float, float, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4, max_iter=1000).fit(np.column_stack([z_emb, z_tf]), y)
    return float(model.coef_[0][0]), float(model.coef_[0][1]), float(model.intercept_[0])


def fit_head(data: Data, idx: Ints, seed: int = 13) -> tuple[StackedHead, Base, Floats]:
    """The head trained on `idx` and its out-of-fold stacked probabilities over `idx`."""
    base, z_emb, z_tf = _oof(data, idx, seed, None)
    stack = _stacker(z_emb, z_tf, data.labels[idx])
    oof = 1 / (1 + np.exp(-(stack[0] * z_emb + stack[1] * z_tf + stack[2])))
    idf = fit_idf([data.simplified[i] for i in idx])
    emb_model = _lr(base.emb_c).fit(data.emb[idx], data.labels[idx])
    tf_model = _lr(base.tf_c).fit(tfidf([data.simplified[i] for i in idx], idf), data.labels[idx])
    head = StackedHead(
        emb_w=emb_model.coef_[0].astype(np.float32),
        emb_b=float(emb_model.intercept_[0]),
        tf_w=tf_model.coef_[0].astype(np.float32),
        tf_b=float(tf_model.intercept_[0]),
        idf=idf,
        stack=stack,
    )
    return head, base, np.asarray(oof, dtype=np.float64)


def predict(head: StackedHead, data: Data, idx: Ints) -> dict[str, Floats]:
    """Probabilities of the stack and of each base model alone (uncalibrated sigmoid)."""
    texts = [data.simplified[i] for i in idx]
    z_emb = data.emb[idx].astype(np.float64) @ head.emb_w + head.emb_b
    z_tf = np.asarray(tfidf(texts, head.idf) @ head.tf_w).ravel() + head.tf_b
    a, b, c = head.stack

    def sig(z: Floats) -> Floats:
        return np.asarray(1 / (1 + np.exp(-z)), dtype=np.float64)

    return {
        "stack": sig(a * z_emb + b * z_tf + c),
        "embedding_lr": sig(z_emb),
        "tfidf_lr": sig(z_tf),
    }


def choose_thresholds(probs: Floats, labels: Ints) -> tuple[float, float]:
    """review: the highest threshold whose band (p >= review) holds >= 90% of the false posts;
    urgent: the lowest threshold whose band has precision >= 95% (>= 50 posts), never below
    review. Both on out-of-fold training probabilities."""
    order = np.sort(np.unique(np.round(probs, 4)))[::-1]
    false_total = max(int(labels.sum()), 1)
    review = float(order[-1])
    for t in order:
        if labels[probs >= t].sum() / false_total >= 0.90:
            review = float(t)
            break
    urgent = 1.0
    for t in order[::-1]:
        band = probs >= t
        if band.sum() >= 50 and labels[band].mean() >= 0.95:
            urgent = float(t)
            break
    return round(review, 4), round(max(urgent, review), 4)


DECISION_GRID = tuple(round(0.30 + 0.01 * k, 2) for k in range(41))  # 0.30 .. 0.70


def choose_decision(probs: Floats, labels: Ints) -> float:
    """The yes/no operating point: of `DECISION_GRID`, the threshold with the highest weighted
    F1 on out-of-fold training probabilities (the first such, scanning up). The bands are
    separate (`choose_thresholds`); this is where "false or not" is read for F1."""
    from sklearn.metrics import f1_score

    scores = [f1_score(labels, (probs >= t).astype(int), average="weighted") for t in DECISION_GRID]
    return float(DECISION_GRID[int(np.argmax(scores))])


def per_set(
    probs: Floats, labels: Ints, sets: npt.NDArray[np.str_], threshold: float = 0.5
) -> dict[str, Any]:
    from classifier.training.metrics import compute_metrics

    out: dict[str, Any] = {}
    for name in (*SETS, "all"):
        mask = np.ones(len(sets), bool) if name == "all" else sets == name
        if mask.any():
            m = compute_metrics(probs[mask], labels[mask], threshold)
            out[name] = {k: m[k] for k in ("n", "weighted_f1", "accuracy", "roc_auc", "ece")}
    return out


def leave_one_set_out(data: Data) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in SETS:
        train = data.train[data.sets[data.train] != name]
        held = data.heldout[data.sets[data.heldout] == name]
        head, _, _ = fit_head(data, train)
        probs = predict(head, data, held)
        out[name] = {
            kind: per_set(p, data.labels[held], data.sets[held])[name] for kind, p in probs.items()
        }
        log.info("leave out %s: %s", name, out[name]["stack"])
    return out


def train_and_measure(data: Data, *, loso: bool = True) -> tuple[StackedHead, dict[str, Any]]:
    head, base, oof = fit_head(data, data.train)
    review, urgent = choose_thresholds(oof, data.labels[data.train])
    decision = choose_decision(oof, data.labels[data.train])
    held = predict(head, data, data.heldout)
    metrics: dict[str, Any] = {
        "chosen": {"emb_C": base.emb_c, "tfidf_C": base.tf_c, "stack": list(head.stack)},
        "thresholds": {"review": review, "urgent": urgent, "decision": decision},
        "counts": {
            "train": {s: int((data.sets[data.train] == s).sum()) for s in SETS},
            "heldout": {s: int((data.sets[data.heldout] == s).sum()) for s in SETS},
        },
        "train_out_of_fold": per_set(oof, data.labels[data.train], data.sets[data.train]),
        "heldout": {
            kind: per_set(p, data.labels[data.heldout], data.sets[data.heldout])
            for kind, p in held.items()
        },
        "heldout_at_decision": per_set(
            held["stack"], data.labels[data.heldout], data.sets[data.heldout], decision
        ),
    }
    if loso:
        metrics["leave_one_set_out"] = leave_one_set_out(data)
    return head, metrics


def write_metrics(path: Path, metrics: dict[str, Any]) -> None:
    path.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
