"""Serving the check-worthiness head: load once, score texts or precomputed embeddings.

Two ways in, same numbers:
- `score(texts)`: embeds with the head's own encoder (the claim matcher's ONNX MiniLM).
- `score_embeddings(embeddings, prepared)`: for intake that already embedded the post for claim
  matching (`prepare(text)` is the matcher's own cleaning, so one encoder pass serves both).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from classifier.checkworthiness.encoder import MODELS_ROOT, load_encoder
from classifier.checkworthiness.features import features, prepare
from classifier.checkworthiness.head import CONFIG_FILE, Floats, Head
from classifier.serving.embeddings import Embedder, Vectors


class EncoderMismatchError(ValueError):
    """The embedder is not the encoder the head was trained on; its scores would be wrong."""


class CheckWorthiness:
    def __init__(self, head: Head, embedder: Embedder, model_dir: Path) -> None:
        if embedder.name != head.encoder:
            raise EncoderMismatchError(f"head expects {head.encoder!r}, got {embedder.name!r}")
        self._head = head
        self._embedder = embedder
        self._model_dir = model_dir

    @property
    def version(self) -> str:
        return self._model_dir.name

    @property
    def threshold(self) -> float:
        """The candidate operating point (chosen out of fold on training data)."""
        return self._head.threshold

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def score(self, texts: Sequence[str]) -> list[float]:
        """Calibrated probability, per text, that it states a factual claim worth checking.
        Empty or whitespace-only text states nothing: 0.0. Non-strings raise TypeError."""
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"texts must be str, got {type(text).__name__}")
        scores = np.zeros(len(texts), dtype=np.float64)
        live = [i for i, t in enumerate(texts) if t.strip()]
        if live:
            prepared = [prepare(texts[i]) for i in live]
            scores[live] = self.score_embeddings(self._embedder.embed(prepared), prepared)
        return [float(s) for s in scores]

    def score_embeddings(self, embeddings: Vectors, prepared: Sequence[str]) -> Floats:
        """Scores from this encoder's embeddings of `prepare(text)` for each text, in order."""
        return self._head.probability(features(embeddings, prepared))


def shipped_model_dir() -> Path:
    """$VERACITY_CHECKWORTHINESS_MODEL, else the newest `models/checkworthiness-<date>/` (the
    English head; `models/checkworthiness-zh-*/` is the Chinese one, `classifier.zh`)."""
    import os

    env = os.environ.get("VERACITY_CHECKWORTHINESS_MODEL")
    if env:
        return Path(env)
    dated = MODELS_ROOT.glob("checkworthiness-[0-9]*")
    found = sorted(d for d in dated if (d / CONFIG_FILE).is_file())
    if not found:
        raise FileNotFoundError(f"no checkworthiness-*/{CONFIG_FILE} under {MODELS_ROOT}")
    return found[-1]


def load_checkworthiness(
    model_dir: Path | None = None, *, embedder: Embedder | None = None
) -> CheckWorthiness:
    """Load a head; pass the claim matcher's embedder (`claims.matching.model.default_parts()
    .embedder`) to share one encoder, else the head loads the encoder it names."""
    directory = model_dir or shipped_model_dir()
    head = Head.load(directory)
    if embedder is None:
        embedder = _encoder_for(head.encoder)
    return CheckWorthiness(head, embedder, directory)


@lru_cache(maxsize=2)
def _encoder_for(name: str) -> Embedder:
    # "claim-matcher:<dir>:<digest>": the directory under models/, the digest checked on load.
    _, dir_name, _ = name.split(":")
    return load_encoder(MODELS_ROOT / dir_name)
