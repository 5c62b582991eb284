"""`veracity claims train-matcher`: fine-tune the claim matcher on CheckThat 2020 Task 2 TRAIN.

The library is de-duplicated first, as the matcher does (`first_of_duplicates`): a repeated
claim must never serve as a hard negative for its own copy.

1. Hard negatives for every train query from the base matcher (packaged MiniLM + BM25): its
   top candidates that are not relevant. The base model never saw train, so they are not
   memorised.
2. Selection (`select`, then `cross`): K-fold cross-validation over all train queries
   (`--folds`, default 5; the queries of a claim share a fold, see `fold_split`): fine-tune the
   bi-encoder on K-1 folds, score the held-out fold after
   each epoch; the epoch count and fusion weights are grid-searched on the out-of-fold scores
   of every train query (one held-out slice of 160 queries was too noisy to choose between
   recipes: ±1.5 points). The out-of-fold encoders' top non-relevant candidates become more
   hard negatives; the cross-encoder is trained on a seeded 80% slice and its weight chosen on
   the other 20% (`--ce-epochs 0` skips it); thresholds at target top-1 precisions.
3. `final`: the chosen models trained again on all of train, exported to ONNX with
   `matcher.json` and metrics. Dev is never read here.
Stages keep their results in --work, so a later stage can run on its own.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from claims.match_cli import CACHE_DIR, default_data_dir
from claims.matching.bm25 import BM25
from claims.matching.evaluation import ClaimRow, read_claims, read_qrels, read_queries
from claims.matching.fusion import FUSED, Floats, Fusion
from claims.matching.matcher import ClaimMatcher, combined_text, first_of_duplicates
from claims.matching.rerank import TorchCrossEncoder
from claims.matching.selection import (
    QuerySignals,
    grid_search,
    held_out_signals,
    level_thresholds,
    rank,
)
from claims.matching.train import (
    BiEncoderRecipe,
    CrossEncoderRecipe,
    TrainQuery,
    train_bi_encoder,
    train_cross_encoder,
)
from classifier.post_text import clean_post
from classifier.serving.embeddings import MiniLMEmbedder, default_embedder, packaged_model_path
from core.settings import REPO_ROOT

RETRIEVAL_GRID = {
    "claim": (0.0, 0.5, 1.0),
    "title": (0.0, 0.25, 0.5, 1.0),
    "combined": (0.0, 0.5, 1.0),
    "bm25": (0.0, 0.1, 0.2, 0.3, 0.5),
}
CROSS_GRID = {"cross": (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0), "depth": (10, 20)}
HARD_NEGATIVES = 20


class Bar:
    """One tqdm bar per stage, with the running loss."""

    def __init__(self) -> None:
        self._bars: dict[str, Any] = {}

    def __call__(self, stage: str, step: int, steps: int, loss: float) -> None:
        from tqdm import tqdm  # type: ignore[import-untyped]

        bar = self._bars.get(stage)
        if bar is None:
            bar = self._bars[stage] = tqdm(total=steps, desc=stage, mininterval=5)
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
        if step >= steps:
            bar.close()
            del self._bars[stage]


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Context:
    args: argparse.Namespace
    work: Path
    claims: list[ClaimRow]
    by_id: dict[str, ClaimRow]
    ids: list[str]
    train: list[TrainQuery]
    query_ids: list[str]
    fit: list[int]
    held: list[int]
    held_qrels: dict[str, set[str]]
    qrels: dict[str, set[str]]  # every train query's, as published
    lexical: Floats  # train queries x claims

    def all_queries(self) -> list[tuple[str, str]]:
        return [(qid, q.text) for qid, q in zip(self.query_ids, self.train, strict=True)]

    def variant(self, cid: str, rng: random.Random) -> str:
        claim = self.by_id[cid]
        return combined_text(claim) if rng.random() < 0.5 else claim.text

    def pair_text(self, cid: str) -> str:
        return combined_text(self.by_id[cid])

    def save(self, name: str, value: Any) -> None:
        with (self.work / name).open("wb") as handle:
            pickle.dump(value, handle)

    def load(self, name: str) -> Any:
        with (self.work / name).open("rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own work files


def base_negatives(
    claims: Sequence[ClaimRow], texts: Sequence[str], relevant: Sequence[set[str]]
) -> list[tuple[str, ...]]:
    matcher = ClaimMatcher(default_embedder(), cache_dir=CACHE_DIR)
    matcher.fit(claims)
    results = matcher.match(list(texts), top=HARD_NEGATIVES + 2)
    return [
        tuple(m.claim_id for m in ms if m.claim_id not in rel)[:HARD_NEGATIVES]
        for rel, ms in zip(relevant, results, strict=True)
    ]


def load_context(args: argparse.Namespace) -> Context:
    data = args.data or default_data_dir()
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    claims, repeats = first_of_duplicates(read_claims(data / "verified_claims.docs.tsv"))
    qrels = read_qrels(data / "train" / "tweet-vclaim-pairs.qrels")
    rows = [q for q in read_queries(data / "train" / "tweets.queries.tsv") if q.id in qrels]
    texts = [clean_post(q.text) or q.text for q in rows]
    # Training targets are the copies the matcher keeps; held-out scoring keeps the qrels as
    # published, so a query whose claim is a dropped copy counts as a miss.
    positives = [tuple(sorted({repeats.get(c, c) for c in qrels[q.id]})) for q in rows]
    negatives_file = work / "negatives.json"
    if negatives_file.is_file():
        negatives = [tuple(n) for n in json.loads(negatives_file.read_text())]
    else:
        _log(f"hard negatives for {len(rows)} train queries from the base matcher")
        negatives = base_negatives(claims, texts, [set(p) for p in positives])
        negatives_file.write_text(json.dumps(negatives))
    train = [TrainQuery(t, p, n) for t, p, n in zip(texts, positives, negatives, strict=True)]
    order = list(range(len(train)))
    random.Random(args.seed).shuffle(order)
    cut = int(len(order) * (1 - args.holdout))
    fit, held = sorted(order[:cut]), sorted(order[cut:])
    bm25 = BM25([f"{c.text} {c.title}" for c in claims])
    return Context(
        args,
        work,
        claims,
        {c.id: c for c in claims},
        [c.id for c in claims],
        train,
        [q.id for q in rows],
        fit,
        held,
        {rows[i].id: qrels[rows[i].id] for i in held},
        {q.id: qrels[q.id] for q in rows},
        bm25.scores(texts),
    )


def retriever_negatives(
    ctx: Context, signals: Sequence[QuerySignals], fusion: Fusion
) -> list[tuple[str, ...]]:
    """Per train query: the chosen encoder's top candidates that are not relevant."""
    rankings = rank(signals, ctx.ids, fusion, top=HARD_NEGATIVES * 2)[0]
    return [
        tuple(c for c in rankings[qid] if c not in q.positives)[:HARD_NEGATIVES]
        for qid, q in zip(ctx.query_ids, ctx.train, strict=True)
    ]


def interleave(*lists: Sequence[str]) -> tuple[str, ...]:
    """Items of the lists in turn (best of each first), each once."""
    out: dict[str, None] = {}
    for items in itertools.zip_longest(*lists):
        out.update((i, None) for i in items if i is not None)
    return tuple(out)


def fold_split(positives: Sequence[Sequence[str]], folds: int, seed: int) -> list[list[int]]:
    """Query indices in `folds` seeded, disjoint folds covering all queries, with every query
    of a claim in the same fold: a held-out query's claim was never a training positive, as
    for a post about a claim the model has not seen (about a third of train queries share
    their claim with another, and seen claims made held-out scores look better than dev)."""
    owner: dict[str, int] = {}
    parent = list(range(len(positives)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, claims in enumerate(positives):
        for claim in claims:
            if claim in owner:
                parent[root(i)] = root(owner[claim])
            else:
                owner[claim] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(positives)):
        groups.setdefault(root(i), []).append(i)
    ordered = list(groups.values())
    random.Random(seed).shuffle(ordered)
    out: list[list[int]] = [[] for _ in range(folds)]
    for group in ordered:
        min(out, key=len).extend(group)
    return [sorted(f) for f in out]


def bi_recipe(args: argparse.Namespace, epochs: int | None = None) -> BiEncoderRecipe:
    return BiEncoderRecipe(epochs=epochs or args.epochs, lr=args.lr, seed=args.seed)


def fold_signals(ctx: Context, k: int, held: list[int]) -> dict[int, list[QuerySignals]]:
    """Train on every fold but `held`; its queries' signals after each epoch (cached)."""
    cached = ctx.work / f"cv-fold{k}.pkl"
    if cached.is_file():
        found: dict[int, list[QuerySignals]] = ctx.load(cached.name)
        return found
    args, queries, skip = ctx.args, ctx.all_queries(), set(held)
    by_epoch: dict[int, list[QuerySignals]] = {}

    def score_epoch(epoch: int, model_dir: Path) -> None:
        if epoch >= args.min_epochs:
            _log(f"fold {k + 1}, epoch {epoch}: embedding the library and {len(held)} queries")
            by_epoch[epoch] = held_out_signals(
                MiniLMEmbedder(model_dir), ctx.claims, [queries[i] for i in held], ctx.lexical[held]
            )

    fit = [q for i, q in enumerate(ctx.train) if i not in skip]
    _log(f"fold {k + 1}/{args.folds}: bi-encoder on {len(fit)} queries, {len(held)} held out")
    model_dir = ctx.work / f"cv-bi-{k}"
    train_bi_encoder(
        packaged_model_path(), fit, ctx.variant, model_dir, bi_recipe(args), Bar(), score_epoch
    )
    shutil.rmtree(model_dir)  # only the scores are needed
    ctx.save(cached.name, by_epoch)
    return by_epoch


def select_bi_encoder(ctx: Context) -> dict[str, Any]:
    args = ctx.args
    by_epoch: dict[int, list[QuerySignals]] = {}
    positives = [q.positives for q in ctx.train]
    for k, held in enumerate(fold_split(positives, args.folds, args.seed)):
        for epoch, signals in fold_signals(ctx, k, held).items():
            by_epoch.setdefault(epoch, []).extend(signals)
    chosen: dict[int, tuple[Fusion, Any]] = {}
    for epoch, signals in sorted(by_epoch.items()):
        chosen[epoch] = grid_search(signals, ctx.ids, ctx.qrels, Fusion(), RETRIEVAL_GRID)
        _log(f"{epoch} epochs, out of fold: {asdict(chosen[epoch][1])} with {chosen[epoch][0]}")
    epoch = max(chosen, key=lambda e: (chosen[e][1].map_at_k, chosen[e][1].mrr))
    fusion, oof = chosen[epoch]
    signals = by_epoch[epoch]
    _log("base model on every train query")
    base_signals = held_out_signals(default_embedder(), ctx.claims, ctx.all_queries(), ctx.lexical)
    base_fusion, base_scores = grid_search(
        base_signals, ctx.ids, ctx.qrels, Fusion(), RETRIEVAL_GRID
    )
    _log(f"base model {asdict(base_scores)} with {base_fusion}; chose {epoch} epochs")
    held_ids = {ctx.query_ids[i] for i in ctx.held}
    selection = {
        "epochs": epoch,
        "fusion": fusion,
        "folds": args.folds,
        "oof_signals": signals,
        "signals": [q for q in signals if q.query_id in held_ids],
        "retriever_negatives": retriever_negatives(ctx, signals, fusion),
        "base": asdict(base_scores),
        "out_of_fold": asdict(oof),
        "by_epoch": {e: asdict(s) for e, (_, s) in chosen.items()},
    }
    ctx.save("select.pkl", selection)
    return selection


def cross_queries(ctx: Context, indices: Sequence[int]) -> list[TrainQuery]:
    """Train queries whose negatives pool both the base matcher's and the chosen encoder's."""
    mined: list[tuple[str, ...]] = ctx.load("select.pkl")["retriever_negatives"]
    out = []
    for i in indices:
        q = ctx.train[i]
        out.append(replace(q, hard_negatives=interleave(mined[i], q.hard_negatives)))
    return out


def train_selection_cross_encoder(ctx: Context) -> Path:
    model_dir = ctx.work / "select-ce"
    if (model_dir / "config.json").is_file():
        return model_dir
    fit = cross_queries(ctx, ctx.fit)
    _log(f"cross-encoder on {len(fit)} train queries")
    recipe = cross_recipe(ctx.args)
    return train_cross_encoder(packaged_model_path(), fit, ctx.pair_text, model_dir, recipe, Bar())


def cross_recipe(args: argparse.Namespace) -> CrossEncoderRecipe:
    return CrossEncoderRecipe(epochs=args.ce_epochs, lr=args.ce_lr, seed=args.seed)


def select_cross_encoder(ctx: Context) -> dict[str, Any]:
    selection = ctx.load("select.pkl")
    fusion: Fusion = selection["fusion"]
    signals: list[QuerySignals] = selection["signals"]
    recipe = cross_recipe(ctx.args)
    retrieval_scores = grid_search(signals, ctx.ids, ctx.held_qrels, fusion, {"cross": (0.0,)})[1]
    best, scores = fusion, retrieval_scores
    if recipe.epochs > 0:
        scorer = TorchCrossEncoder(train_selection_cross_encoder(ctx))
        depth = max(CROSS_GRID["depth"])
        for q in signals:
            order = np.argsort(-fusion.retrieval(q.signals), kind="stable")[:depth]
            q.cross_rows = q.rows[order]
            q.cross = scorer.score(q.text, [ctx.pair_text(ctx.ids[int(r)]) for r in q.cross_rows])
        best, scores = grid_search(signals, ctx.ids, ctx.held_qrels, fusion, CROSS_GRID)
    # Without a cross-encoder, thresholds come from every train query's out-of-fold score.
    pool, qrels = (
        (signals, ctx.held_qrels) if best.cross > 0 else (selection["oof_signals"], ctx.qrels)
    )
    thresholds = level_thresholds(pool, ctx.ids, best, qrels, FUSED)
    _log(f"held-out retrieval {asdict(retrieval_scores)}")
    _log(f"held-out with cross-encoder {asdict(scores)} using {best}; {thresholds}")
    result = {
        **{
            k: v
            for k, v in selection.items()
            if k not in ("signals", "oof_signals", "retriever_negatives")
        },
        "fusion": best,
        "thresholds": thresholds,
        "holdout_retrieval": asdict(retrieval_scores),
        "holdout": asdict(scores),
        "cross_recipe": asdict(recipe),
    }
    ctx.save("cross.pkl", result)
    return result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help="CheckThat 2020 Task 2 folder")
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "var" / "claim-matcher-work")
    parser.add_argument("--out", type=Path, default=None, help="model dir to write (final)")
    parser.add_argument(
        "--stage", default="all", choices=("all", "select", "cross-train", "cross", "final")
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (select)")
    parser.add_argument(
        "--holdout", type=float, default=0.2, help="share of train held out (cross-encoder)"
    )
    parser.add_argument("--epochs", type=int, default=3, help="most bi-encoder epochs tried")
    parser.add_argument("--min-epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--ce-epochs", type=int, default=2, help="cross-encoder epochs (0: none)")
    parser.add_argument("--ce-lr", type=float, default=3e-5, help="cross-encoder learning rate")


def main(args: argparse.Namespace) -> int:
    import torch

    if args.folds < 2:
        raise SystemExit("--folds must be at least 2")
    torch.set_num_threads(min(torch.get_num_threads(), 2))
    ctx = load_context(args)
    if args.stage in ("all", "select"):
        select_bi_encoder(ctx)
    if args.stage == "cross-train":
        train_selection_cross_encoder(ctx)
    if args.stage in ("all", "cross"):
        select_cross_encoder(ctx)
    if args.stage in ("all", "final"):
        from claims.matching.ship import final_models

        final_models(ctx)
    return 0
