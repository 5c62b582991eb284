"""The shipped fine-tuned matcher (`models/claim-matcher-*/`), loaded once per process.

A model directory holds `encoder.onnx`, optionally `reranker.onnx`, the tokenizer
and `matcher.json` (fusion weights and thresholds chosen on CheckThat train). Without one, the
matcher falls back to the packaged base MiniLM with its default weights.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claims.index import VectorIndex
from claims.matching.fusion import Fusion, MatchThresholds, load_matcher_config
from claims.matching.matcher import ClaimMatcher
from claims.matching.rerank import OnnxCrossEncoder, Reranker
from classifier.serving.embeddings import ENCODER_FILE, Embedder, OnnxEmbedder, default_embedder
from core.settings import REPO_ROOT

RERANKER_FILE, CONFIG_FILE = "reranker.onnx", "matcher.json"


@dataclass(frozen=True)
class MatcherParts:
    embedder: Embedder
    fusion: Fusion
    thresholds: MatchThresholds
    reranker: Reranker | None
    model_dir: Path | None

    def matcher(
        self, index: VectorIndex | None = None, *, cache_dir: Path | None = None
    ) -> ClaimMatcher:
        return ClaimMatcher(
            self.embedder,
            index,
            thresholds=self.thresholds,
            fusion=self.fusion,
            reranker=self.reranker,
            cache_dir=cache_dir,
        )


def shipped_model_dir() -> Path | None:
    """$VERACITY_CLAIM_MATCHER ("base" turns the fine-tuned model off), else the newest."""
    env = os.environ.get("VERACITY_CLAIM_MATCHER")
    if env == "base":
        return None
    if env:
        return Path(env)
    found = sorted(
        d for d in (REPO_ROOT / "models").glob("claim-matcher-*") if (d / CONFIG_FILE).is_file()
    )
    return found[-1] if found else None


def load_parts(model_dir: Path) -> MatcherParts:
    fusion, thresholds = load_matcher_config(model_dir / CONFIG_FILE)
    tokenizer = model_dir / "tokenizer.json"
    encoder = model_dir / ENCODER_FILE
    # The name keys the claim-embedding cache, so it must change whenever the weights do.
    digest = hashlib.sha256(encoder.read_bytes()).hexdigest()[:16]
    embedder = OnnxEmbedder(encoder, tokenizer, name=f"claim-matcher:{model_dir.name}:{digest}")
    reranker = None
    if fusion.cross > 0 and (model_dir / RERANKER_FILE).is_file():
        reranker = OnnxCrossEncoder(model_dir / RERANKER_FILE, tokenizer)
    return MatcherParts(embedder, fusion, thresholds, reranker, model_dir)


@lru_cache(maxsize=1)
def default_parts() -> MatcherParts:
    model_dir = shipped_model_dir()
    if model_dir is None:
        return MatcherParts(default_embedder(), Fusion(), MatchThresholds(), None, None)
    return load_parts(model_dir)


# The shipped matcher's levels, for when no model is present.
_FALLBACK_THRESHOLDS = MatchThresholds(suggest=0.524, confirmed=0.609)


@lru_cache(maxsize=1)
def shipped_thresholds() -> MatchThresholds:
    """The levels of the matcher in use (`shipped_model_dir`): the routing policy's defaults."""
    model_dir = shipped_model_dir()
    if model_dir is None or not (model_dir / CONFIG_FILE).is_file():
        return _FALLBACK_THRESHOLDS
    _, thresholds = load_matcher_config(model_dir / CONFIG_FILE)
    return thresholds
