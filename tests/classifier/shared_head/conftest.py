"""Generated fixtures for the shared-encoder falsehood head; nothing here reads ../shared.

`toy_sets` are five small sets whose false posts share a topic word ("miracle cure",
"hoax") and whose true posts share another ("study", "ministry"), written in each set's own
style (links and hashtags in one, shouting in another), so a head that learns the claim, not
the style, ranks them across sets. `HashEmbedder` is a deterministic stand-in encoder for the
training and evaluation paths; the shipped encoder has its own test.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pytest

from classifier.serving.embeddings import DIMENSIONS, Vectors
from classifier.training.datasets import Example
from classifier.training.evalsets import EvalSet

FALSE = ["miracle cure {} ends the virus", "hoax: {} spreads the virus", "{} cure they hide"]
TRUE = ["study of {} finds no effect", "ministry reports {} new cases", "{} trial results out"]
STYLES = {
    "alpha": "{} https://t.co/x #news",
    "beta": "{}!!!",
    "gamma": "BREAKING: {}",
    "delta": "@someone {}",
    "eps": "{}",
}


def _posts(name: str, part: str, n: int) -> list[Example]:
    out: list[Example] = []
    for i in range(n):
        label = i % 2
        pattern = (FALSE if label else TRUE)[i % 3]
        body = pattern.format(f"{name}{part}{i}")
        out.append(Example(STYLES[name].format(body), label, name))
    return out


@pytest.fixture
def toy_sets() -> list[EvalSet]:
    return [
        EvalSet(name, _posts(name, "f", 24), _posts(name, "e", 12), "generated") for name in STYLES
    ]


class HashEmbedder:
    """Bag of hashed words, L2-normalised: a stand-in encoder that counts its calls."""

    name = "hash-embedder:test"
    dimensions = DIMENSIONS

    def __init__(self) -> None:
        self.calls = 0
        self.texts_seen = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        self.texts_seen += len(texts)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                slot = int(hashlib.sha256(word.encode()).hexdigest(), 16) % DIMENSIONS
                out[i, slot] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normed: Vectors = out / np.clip(norms, 1e-9, None)
        return normed


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()
