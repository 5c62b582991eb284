"""`veracity checkworthiness train`: embed the three sets once, fit, measure, ship the head.

Writes `models/checkworthiness-<date>/` with `head.npz`, `config.json`, `metrics.json` and
`MODEL_CARD.md`. The datasets are read only here; serving and tests need none of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier.checkworthiness.data import SETS, load_all
from classifier.checkworthiness.encoder import cached_embeddings, load_encoder, newest_matcher_dir
from classifier.checkworthiness.evaluate import binary_metrics, ordinary_posts_report, timing
from classifier.checkworthiness.features import LEXICAL_NAMES, features, prepare
from classifier.checkworthiness.fitting import Choice, fit_head
from classifier.checkworthiness.head import Head
from classifier.checkworthiness.model import CheckWorthiness
from classifier.checkworthiness.model_card import EXAMPLES, write_model_card
from classifier.checkworthiness.net import Floats, Ints
from classifier.checkworthiness.reference import tfidf_reference
from classifier.io import write_json
from classifier.serving.embeddings import OnnxEmbedder
from core.settings import REPO_ROOT

log = logging.getLogger(__name__)
Mask = npt.NDArray[np.bool_]
# Out-of-fold candidates: logistic regression (each weighting) and one small MLP.
# The MLP is five averaged: single MLPs' dev F1 moved by up to 0.07 with the seed alone.
CHOICES = (
    Choice(0.03, "natural"),
    Choice(0.03, "per_source"),
    Choice(100.0, "per_source", 128, members=5),
)


@dataclass(frozen=True)
class TrainConfig:
    data_dir: Path
    model_dir: Path
    cache_dir: Path = REPO_ROOT / ".cache" / "checkworthiness"
    choices: tuple[Choice, ...] = CHOICES
    folds: int = 5
    cross_set_folds: int = 3  # fewer: one fit per fold per held-out set, and MLPs are slow
    seed: int = 13


@dataclass(frozen=True)
class Table:
    """Every row of every set with its features, ready to slice."""

    prepared: list[str]
    texts: list[str]
    x: Floats
    y: Ints
    source: npt.NDArray[np.str_]
    split: npt.NDArray[np.str_]


def build_table(cfg: TrainConfig, matcher_dir: Path) -> tuple[Table, OnnxEmbedder]:
    rows = load_all(cfg.data_dir)
    log.info("%d rows from %s", len(rows), ", ".join(SETS))
    prepared = [prepare(r.text) for r in rows]
    encoder = load_encoder(matcher_dir)
    emb = cached_embeddings(encoder, prepared, cfg.cache_dir)
    table = Table(
        prepared=prepared,
        texts=[r.text for r in rows],
        x=features(emb, prepared).astype(np.float64),
        y=np.array([r.label for r in rows], dtype=np.int64),
        source=np.array([r.source for r in rows]),
        split=np.array([r.split for r in rows]),
    )
    return table, encoder


def eval_groups(t: Table, sets: tuple[str, ...] = SETS) -> dict[str, Mask]:
    groups = {}
    for s in sets:
        for split in ("dev", "dev_test"):
            sel = (t.source == s) & (t.split == split)
            if sel.any():
                groups[f"{s}/{split}"] = sel
    return groups


def fit_on(
    t: Table, train_sel: Mask, encoder: str, choices: tuple[Choice, ...], folds: int, seed: int
) -> tuple[Head, dict[str, Any]]:
    x, y, src = t.x[train_sel], t.y[train_sel], t.source[train_sel]
    return fit_head(
        x, y, src, encoder=encoder, lexical=LEXICAL_NAMES, choices=choices, folds=folds, seed=seed
    )


def measure(t: Table, head: Head, train_sel: Mask, groups: dict[str, Mask]) -> dict[str, Any]:
    out = {}
    for name, sel in groups.items():
        out[name] = binary_metrics(head.probability(t.x[sel]), t.y[sel], head.threshold)
        out[name]["reference_tfidf_f1"] = tfidf_reference(t, train_sel, sel)
    return out


def cross_set(t: Table, encoder: str, choice: Choice, cfg: TrainConfig) -> dict[str, Any]:
    """Train on two sets, test on the third's evaluation splits (the chosen recipe, no grid)."""
    out: dict[str, Any] = {}
    for held in SETS:
        train_sel = (t.split == "train") & (t.source != held)
        head, _ = fit_on(t, train_sel, encoder, (choice,), cfg.cross_set_folds, cfg.seed)
        out |= measure(t, head, train_sel, eval_groups(t, (held,)))
    return out


def train(cfg: TrainConfig) -> dict[str, Any]:
    table, encoder = build_table(cfg, newest_matcher_dir())
    train_sel = table.split == "train"
    head, selection = fit_on(table, train_sel, encoder.name, cfg.choices, cfg.folds, cfg.seed)
    chosen: Choice = selection.pop("chosen_choice")
    in_domain = measure(table, head, train_sel, eval_groups(table))
    log.info("in-domain F1: %s", {k: v["f1"] for k, v in in_domain.items()})
    cross = cross_set(table, encoder.name, chosen, cfg)
    log.info("cross-set F1: %s", {k: v["f1"] for k, v in cross.items()})
    head = replace(head, extra={"version": cfg.model_dir.name, "trained_on": list(SETS)})
    head.save(cfg.model_dir)
    model = CheckWorthiness(head, encoder, cfg.model_dir)
    dev_texts = [t for t, s in zip(table.texts, table.split, strict=True) if s == "dev"]
    metrics = {
        "version": cfg.model_dir.name,
        "encoder": encoder.name,
        "train_rows": {s: int(np.sum(train_sel & (table.source == s))) for s in SETS},
        "selection": selection,
        "dev": in_domain,
        "cross_set": cross,
        "ordinary_posts": ordinary_posts_report(model),
        "timing": timing(model, dev_texts[:256]),
        "examples": dict(zip(EXAMPLES, model.score(EXAMPLES), strict=True)),
    }
    write_json(cfg.model_dir / "metrics.json", metrics)
    write_model_card(cfg.model_dir, metrics)
    return metrics
