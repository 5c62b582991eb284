"""The shipped Chinese falsehood head: two logistic models stacked, one calibrated probability.

- `z_emb`: logistic regression on the frozen bge-small-zh sentence vector (`classifier.zh.encoder`);
- `z_tf`: logistic regression on character 1-3-gram TF-IDF (hashed into 2^18 columns, so no
  vocabulary ships, only the IDF vector; punctuation and emoji are kept: dropping them was
  tried and cost 1.5 points of held-out F1 and queued more everyday posts, see the card);
- `p = sigmoid(a_emb * z_emb + a_tf * z_tf + b)`: the stacker, fitted on out-of-fold logits of
  the training split (Platt scaling on two inputs: it calibrates as well as weighs).

Everything is read from `head.npz` and `config.json` in the model directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier.io import read_json
from classifier.zh.text import to_simplified

HEAD_FILE, CONFIG_FILE = "head.npz", "config.json"
N_FEATURES = 2**18
NGRAMS = (1, 3)
Floats = npt.NDArray[np.float64]


def hashing_vectorizer() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer="char",
        ngram_range=NGRAMS,
        n_features=N_FEATURES,
        alternate_sign=False,
        norm=None,
        lowercase=True,
    )


def tfidf(texts: Sequence[str], idf: npt.NDArray[np.floating]) -> Any:
    """Rows of L2-normalised TF-IDF for Simplified `texts` (a scipy CSR matrix)."""
    from sklearn.preprocessing import normalize

    counts = hashing_vectorizer().transform(list(texts))
    return normalize(counts.multiply(idf.reshape(1, -1)).tocsr(), norm="l2", copy=False)


def fit_idf(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Smoothed IDF (sklearn's `TfidfTransformer(smooth_idf=True)`) over the hashed columns."""
    counts = hashing_vectorizer().transform(list(texts))
    df = np.bincount(counts.nonzero()[1], minlength=N_FEATURES).astype(np.float64)
    n = counts.shape[0]
    idf: npt.NDArray[np.float32] = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
    return idf


@dataclass(frozen=True)
class StackedHead:
    emb_w: npt.NDArray[np.float32]
    emb_b: float
    tf_w: npt.NDArray[np.float32]
    tf_b: float
    idf: npt.NDArray[np.float32]
    stack: tuple[float, float, float]  # a_emb, a_tf, b

    def margins(self, embeddings: npt.NDArray[np.floating], simplified: Sequence[str]) -> Floats:
        """Stacked log-odds that each post is false."""
        z_emb = embeddings.astype(np.float64) @ self.emb_w.astype(np.float64) + self.emb_b
        z_tf = np.asarray(tfidf(simplified, self.idf) @ self.tf_w.astype(np.float64)).ravel()
        z_tf = z_tf + self.tf_b
        a_emb, a_tf, b = self.stack
        return np.asarray(a_emb * z_emb + a_tf * z_tf + b, dtype=np.float64)

    def probability(self, embeddings: npt.NDArray[np.floating], texts: Sequence[str]) -> Floats:
        z = np.clip(self.margins(embeddings, [to_simplified(t) for t in texts]), -50.0, 50.0)
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    def save(self, model_dir: Path) -> None:
        np.savez_compressed(
            model_dir / HEAD_FILE,
            emb_w=self.emb_w.astype(np.float32),
            emb_b=np.float64(self.emb_b),
            tf_w=self.tf_w.astype(np.float32),
            tf_b=np.float64(self.tf_b),
            idf=self.idf.astype(np.float32),
            stack=np.asarray(self.stack, dtype=np.float64),
        )

    @classmethod
    def load(cls, model_dir: Path) -> StackedHead:
        with np.load(model_dir / HEAD_FILE) as raw:
            a_emb, a_tf, b = (float(x) for x in raw["stack"])
            return cls(
                emb_w=raw["emb_w"],
                emb_b=float(raw["emb_b"]),
                tf_w=raw["tf_w"],
                tf_b=float(raw["tf_b"]),
                idf=raw["idf"],
                stack=(a_emb, a_tf, b),
            )


def read_config(model_dir: Path) -> dict[str, Any]:
    raw: dict[str, Any] = read_json(model_dir / CONFIG_FILE)
    return raw
