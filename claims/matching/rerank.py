"""Cross-encoder re-scoring of (post, claim) pairs: one logit per pair, sigmoid = P(match).

`OnnxCrossEncoder` serves the shipped ONNX model; `TorchCrossEncoder` scores a checkpoint
during training. Both truncate pairs at 256 word pieces and pad a batch only to its longest.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from claims.matching.fusion import Floats

PAIR_TOKENS = 256


class Reranker(Protocol):
    def score(self, query: str, passages: Sequence[str]) -> Floats:
        """One logit per passage, in order."""
        ...


class TorchCrossEncoder:
    def __init__(self, model_dir: Path, batch_size: int = 32) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self._tokenizer: Any = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        self._model: Any = AutoModelForSequenceClassification.from_pretrained(
            str(model_dir), local_files_only=True
        )
        self._model.eval()
        self._batch_size = batch_size

    def score(self, query: str, passages: Sequence[str]) -> Floats:
        import torch

        out: list[float] = []
        for start in range(0, len(passages), self._batch_size):
            chunk = list(passages[start : start + self._batch_size])
            batch = self._tokenizer(
                [query] * len(chunk),
                chunk,
                padding=True,
                truncation=True,
                max_length=PAIR_TOKENS,
                return_tensors="pt",
            )
            with torch.inference_mode():
                out += self._model(**batch).logits.squeeze(-1).tolist()
        return np.array(out, dtype=np.float32)


class OnnxCrossEncoder:
    def __init__(self, onnx_path: Path, tokenizer_path: Path, threads: int | None = None) -> None:
        from tokenizers import Tokenizer

        from classifier.serving.embeddings import ort_session

        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=PAIR_TOKENS)
        self._tokenizer.enable_padding()
        self._session = ort_session(onnx_path, threads)
        self._lock = threading.Lock()

    def score(self, query: str, passages: Sequence[str]) -> Floats:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        encoded = self._tokenizer.encode_batch([(query, p) for p in passages])
        feeds = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }
        with self._lock:
            (logits,) = self._session.run(["logits"], feeds)
        scores: Floats = np.asarray(logits, dtype=np.float32).reshape(-1)
        return scores
