"""bge-small-zh-v1.5 as a sentence encoder: int8 ONNX, shipped under `models/`, never downloaded.

Pre: Traditional -> Simplified (`classifier.zh.text`), sanitise, tokenise with the shipped
`tokenizer.json` (Chinese WordPiece, truncated to `max_length`); core: the int8 encoder through
ONNX Runtime, one text per call (`classifier.serving.call_plan`): the int8 weights quantise
activations dynamically, one scale per input tensor, so a text batched with others got a vector
that depended on its neighbours (cosine down to 0.987, a falsehood score 0.766 alone and 0.788
beside a long post); alone, a text always gets the same vector, at about the same speed on this
CPU (length-sorted batches of 32: 70 Weibo posts/s and 330 short posts/s on one thread; one at
a time: 88 and 270); post: pooled and L2-normalised, so a dot product is a cosine. Pooling is `mean` (over real tokens) or `cls`
(BGE's own retrieval pooling); each artifact records which it was trained with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np

from classifier.serving.batching import IntArray, padded_batches
from classifier.serving.call_plan import CallPlan
from classifier.serving.embeddings import (
    BatchedEmbedder,
    Vectors,
    mean_pool_normalise,
    ort_session,
)
from classifier.serving.text_guard import sanitize
from classifier.zh.text import to_simplified

ENCODER_FILE, TOKENIZER_FILE = "encoder.onnx", "tokenizer.json"
DIMENSIONS = 512
MAX_TOKENS = 128


def encoder_name(model_dir: Path) -> str:
    """Names the exact weights (a digest of the ONNX file): heads and caches key on it."""
    digest = hashlib.sha256((model_dir / ENCODER_FILE).read_bytes()).hexdigest()[:16]
    return f"bge-small-zh:{digest}"


def cls_normalise(hidden: np.ndarray[Any, Any]) -> Vectors:
    first = hidden[:, 0, :]
    norms = np.linalg.norm(first, axis=1, keepdims=True)
    out: Vectors = (first / np.clip(norms, 1e-12, None)).astype(np.float32)
    return out


class ZhEncoder(BatchedEmbedder):
    """Implements `classifier.serving.embeddings.Embedder` (name, dimensions, embed)."""

    def __init__(
        self,
        model_dir: Path,
        *,
        pooling: str = "mean",
        max_tokens: int = MAX_TOKENS,
        batch_size: int = 1,
        threads: int | None = None,
    ) -> None:
        from tokenizers import Tokenizer

        if pooling not in ("mean", "cls"):
            raise ValueError(f"pooling must be 'mean' or 'cls', not {pooling!r}")
        self.model_dir = Path(model_dir)
        self.pooling = pooling
        self._tokenizer = Tokenizer.from_file(str(self.model_dir / TOKENIZER_FILE))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=max_tokens)
        name = f"{encoder_name(self.model_dir)}:{pooling}"
        path = self.model_dir / ENCODER_FILE
        self._calls = CallPlan(path, batch_size=batch_size, threads=threads, name=name)
        self._session = ort_session(path, self._calls.session_threads)
        self.max_tokens = max_tokens
        super().__init__(name, batch_size=self._calls.batch_size, dimensions=DIMENSIONS)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        prepared = [to_simplified(sanitize(t)) for t in texts]
        return [list(e.ids) for e in self._tokenizer.encode_batch(prepared)]

    def embed(self, texts: Sequence[str]) -> Vectors:
        return self.embed_both(texts)[0 if self.pooling == "mean" else 1]

    def embed_both(self, texts: Sequence[str]) -> tuple[Vectors, Vectors]:
        """(mean-pooled, CLS) vectors, both L2-normalised, in input order."""
        mean = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        cls = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return mean, cls
        batches = list(padded_batches(self.token_ids(texts), self._batch_size))
        for (rows, _, mask), hidden in zip(
            batches, self._calls.map(self._run, batches), strict=True
        ):
            mean[rows] = mean_pool_normalise(hidden, mask)
            cls[rows] = cls_normalise(hidden)
        return mean, cls

    def _run(self, batch: tuple[list[int], IntArray, IntArray]) -> np.ndarray[Any, Any]:
        _, input_ids, mask = batch
        feeds = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(input_ids),
        }
        with nullcontext() if self._calls.per_text else self._lock:
            (hidden,) = self._session.run(["last_hidden_state"], feeds)
        out: np.ndarray[Any, Any] = hidden
        return out
