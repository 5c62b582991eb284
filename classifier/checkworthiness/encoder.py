"""The frozen sentence encoder the head was trained on: the shipped claim matcher's ONNX MiniLM.

The head is only valid on the exact encoder weights it saw, so the artifact records the
encoder's name (which embeds a digest of `encoder.onnx`) and loading refuses any other.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifier.serving.embeddings import DIMENSIONS, ENCODER_FILE, Embedder, OnnxEmbedder, Vectors
from core.settings import REPO_ROOT

log = logging.getLogger(__name__)
MODELS_ROOT = REPO_ROOT / "models"


def encoder_name(matcher_dir: Path) -> str:
    """The name `claims.matching.model.load_parts` gives the same encoder."""
    digest = hashlib.sha256((matcher_dir / ENCODER_FILE).read_bytes()).hexdigest()[:16]
    return f"claim-matcher:{matcher_dir.name}:{digest}"


def newest_matcher_dir() -> Path:
    found = sorted(d for d in MODELS_ROOT.glob("claim-matcher-*") if (d / ENCODER_FILE).is_file())
    if not found:
        raise FileNotFoundError(f"no claim-matcher-*/{ENCODER_FILE} under {MODELS_ROOT}")
    return found[-1]


def load_encoder(matcher_dir: Path) -> OnnxEmbedder:
    return OnnxEmbedder(
        matcher_dir / ENCODER_FILE, matcher_dir / "tokenizer.json", name=encoder_name(matcher_dir)
    )


def embed_with_progress(
    embedder: Embedder, texts: Sequence[str], *, chunk: int = 2048, label: str = "embedding"
) -> Vectors:
    """Embed in chunks, logging progress and the rate (training embeds ~25,000 texts)."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    start = time.perf_counter()
    for lo in range(0, len(texts), chunk):
        out[lo : lo + chunk] = embedder.embed(list(texts[lo : lo + chunk]))
        done = min(lo + chunk, len(texts))
        rate = done / max(time.perf_counter() - start, 1e-9)
        log.info("%s: %d/%d texts (%.0f/s)", label, done, len(texts), rate)
    return out


def cached_embeddings(embedder: Embedder, texts: Sequence[str], cache_dir: Path) -> Vectors:
    """`embed_with_progress`, reusing a file keyed by the encoder and the exact texts."""
    digest = hashlib.sha256(embedder.name.encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\x00")
    path = cache_dir / f"cw-emb-{digest.hexdigest()[:24]}.npy"
    if path.is_file():
        log.info("embeddings from cache %s", path)
        cached: Vectors = np.load(path)
        return cached
    vectors = embed_with_progress(embedder, texts)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors
