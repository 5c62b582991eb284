"""Encoder vectors for many texts, cached on disk per text so a long pass can resume.

The store is a directory of chunk files (`chunk-NNNN.npz`: the texts' SHA-256 keys and their
vectors), keyed also by the encoder's name, so vectors from another encoder are never mixed in.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifier.serving.embeddings import DIMENSIONS, Embedder, Vectors

log = logging.getLogger(__name__)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class VectorStore:
    def __init__(self, embedder: Embedder, cache_dir: Path | None, *, chunk: int = 512) -> None:
        self.embedder = embedder
        self.chunk = chunk
        self.dir = None
        if cache_dir is not None:
            tag = hashlib.sha256(embedder.name.encode("utf-8")).hexdigest()[:12]
            self.dir = cache_dir / f"shared-head-{tag}"
            self.dir.mkdir(parents=True, exist_ok=True)
        self._known: dict[str, Vectors] = {}
        self._load()

    def _load(self) -> None:
        if self.dir is None:
            return
        for path in sorted(self.dir.glob("chunk-*.npz")):
            with np.load(path) as raw:
                for key, vec in zip(raw["keys"].tolist(), raw["vectors"], strict=True):
                    self._known[str(key)] = vec

    def _save(self, keys: list[str], vectors: Vectors) -> None:
        if self.dir is None:
            return
        n = len(list(self.dir.glob("chunk-*.npz")))
        np.savez(self.dir / f"chunk-{n:04d}.npz", keys=np.array(keys), vectors=vectors)

    def vectors(self, texts: Sequence[str], label: str = "embedding") -> Vectors:
        """One vector per text, in order; only texts not seen before go through the encoder."""
        keys = [text_key(t) for t in texts]
        todo = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._known}.items()
        )
        start = time.perf_counter()
        for lo in range(0, len(todo), self.chunk):
            part = todo[lo : lo + self.chunk]
            vecs = self.embedder.embed([t for _, t in part])
            self._known.update({k: v for (k, _), v in zip(part, vecs, strict=True)})
            self._save([k for k, _ in part], vecs)
            done = min(lo + self.chunk, len(todo))
            rate = done / max(time.perf_counter() - start, 1e-9)
            log.info("%s: %d/%d new texts (%.1f/s)", label, done, len(todo), rate)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = self._known[k]
        return out
