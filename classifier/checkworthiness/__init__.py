"""Check-worthiness: does a post state a factual claim worth checking? (0-1, calibrated)

Public surface: `load_checkworthiness(model_dir=None, *, embedder=None)` returns a
`CheckWorthiness` with `score(texts)` and `score_embeddings(embeddings, prepared)`;
`prepare(text)` is the text the shared encoder embeds.
"""

from classifier.checkworthiness.features import prepare
from classifier.checkworthiness.model import (
    CheckWorthiness,
    EncoderMismatchError,
    load_checkworthiness,
    shipped_model_dir,
)

__all__ = [
    "CheckWorthiness",
    "EncoderMismatchError",
    "load_checkworthiness",
    "prepare",
    "shipped_model_dir",
]
