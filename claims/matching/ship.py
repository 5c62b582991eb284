"""The `final` stage of `veracity claims train-matcher`: train on all of train with the recipe
chosen by cross-validation, export ONNX (fp16-stored weights), write `matcher.json` and metrics."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claims.matching.export import copy_tokenizer, export_model
from claims.matching.model import CONFIG_FILE, RERANKER_FILE
from claims.matching.train import (
    BiEncoderRecipe,
    CrossEncoderRecipe,
    train_bi_encoder,
    train_cross_encoder,
)
from classifier.io import write_json
from classifier.serving.embeddings import (
    ENCODER_FILE,
    MiniLMEmbedder,
    OnnxEmbedder,
    packaged_model_path,
)

if TYPE_CHECKING:
    from claims.train_matcher import Context


def default_out_dir() -> Path:
    from core.settings import REPO_ROOT

    return REPO_ROOT / "models" / f"claim-matcher-{time.strftime('%Y.%m.%d')}"


def final_models(ctx: Context) -> Path:
    """Train the chosen models again on all of train and ship them."""
    from claims.train_matcher import Bar, _log, bi_recipe, cross_queries

    chosen: dict[str, Any] = ctx.load("cross.pkl")
    fusion = chosen["fusion"]
    bi = bi_recipe(ctx.args, epochs=chosen["epochs"])
    ce = CrossEncoderRecipe(**chosen["cross_recipe"])
    encoder_dir = ctx.work / "final-bi" / f"epoch-{bi.epochs}"
    timings: dict[str, int] = {}
    if not (encoder_dir / "config.json").is_file():  # an earlier run's model is reused
        _log(f"final bi-encoder on all {len(ctx.train)} train queries, {bi.epochs} epochs")
        started = time.perf_counter()
        encoder_dir = train_bi_encoder(
            packaged_model_path(), ctx.train, ctx.variant, ctx.work / "final-bi", bi, Bar()
        )
        timings["bi_encoder_s"] = round(time.perf_counter() - started)
    reranker_dir = None
    if fusion.cross > 0:
        _log(f"final cross-encoder on all {len(ctx.train)} train queries")
        started = time.perf_counter()
        everything = cross_queries(ctx, range(len(ctx.train)))
        reranker_dir = train_cross_encoder(
            packaged_model_path(), everything, ctx.pair_text, ctx.work / "final-ce", ce, Bar()
        )
        timings["cross_encoder_s"] = round(time.perf_counter() - started)
    return ship(ctx, chosen, bi, encoder_dir, reranker_dir, len(ctx.train), timings)


def ship(
    ctx: Context,
    chosen: dict[str, Any],
    bi: BiEncoderRecipe,
    encoder_dir: Path,
    reranker_dir: Path | None,
    trained_on: int,
    timings: dict[str, int],
) -> Path:
    from claims.train_matcher import _log

    out: Path = ctx.args.out or default_out_dir()
    out.mkdir(parents=True, exist_ok=True)
    _log(f"exporting ONNX to {out}")
    export_model(encoder_dir, out / ENCODER_FILE, ctx.work / "onnx", encoder=True)
    if reranker_dir is not None:
        export_model(reranker_dir, out / RERANKER_FILE, ctx.work / "onnx", encoder=False)
    copy_tokenizer(encoder_dir, out)
    parity = encoder_parity(encoder_dir, out, [ctx.train[i].text for i in ctx.held])
    _log(f"shipped vs torch encoder cosine: {parity}")
    config = {
        "version": out.name,
        "fusion": chosen["fusion"].to_json(),
        "thresholds": asdict(chosen["thresholds"]),
    }
    write_json(out / CONFIG_FILE, config)
    metrics = {
        "train_cross_validation": {
            "folds": chosen["folds"],
            "queries": len(ctx.train),
            "seed": ctx.args.seed,
            "base_model": chosen["base"],
            "bi_encoder_by_epoch": chosen["by_epoch"],
            "chosen": chosen["out_of_fold"],
        },
        "cross_encoder_holdout": {
            "queries": len(ctx.held),
            "retrieval": chosen["holdout_retrieval"],
            "with_cross_encoder": chosen["holdout"],
            "used": reranker_dir is not None,
        },
        "trained_on_queries": trained_on,
        "recipe": {
            "bi_encoder": asdict(bi),
            "cross_encoder": chosen["cross_recipe"],
            "hard_negatives": "base matcher top 20, not relevant",
        },
        "onnx_parity": parity,
        "train_timings_s": timings,
    }
    write_json(out / "metrics.json", metrics)
    return out


def encoder_parity(hf_dir: Path, out: Path, texts: list[str]) -> dict[str, float]:
    fp32 = MiniLMEmbedder(hf_dir).embed(texts)
    shipped = OnnxEmbedder(out / ENCODER_FILE, out / "tokenizer.json", name="parity").embed(texts)
    cos = (fp32 * shipped).sum(axis=1)
    return {"min": round(float(cos.min()), 4), "mean": round(float(cos.mean()), 4)}
