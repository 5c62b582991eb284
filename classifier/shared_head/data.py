"""The texts the head learns from and is scored on, as the shared encoder reads them.

Each post is read as intake reads it (`prepare`: bounded, links dropped, '#'/'@' marks
dropped, the matcher's cleaning), in two forms: as written and de-styled
(`classifier.destyle.destyle`: emoji, RT/via, caps, !!!, BREAKING: labels gone). Training uses
both forms of every fit post (de-styled augmentation); evaluation reports each form apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from classifier.checkworthiness.features import prepare
from classifier.destyle import destyle
from classifier.training.datasets import Example

VARIANTS = ("original", "destyled")
Ints = npt.NDArray[np.int64]
Strs = npt.NDArray[np.str_]


def variant_text(text: str, variant: str) -> str:
    """What the encoder reads for one form of a post."""
    if variant == "original":
        return prepare(text)
    if variant == "destyled":
        return prepare(destyle(text) or text)
    raise ValueError(f"unknown variant {variant!r}")


@dataclass(frozen=True)
class Rows:
    """Encoder inputs with their labels and source set (parallel arrays)."""

    texts: list[str]
    labels: Ints
    sources: Strs

    @classmethod
    def of(cls, examples: Sequence[Example], variants: Sequence[str]) -> Rows:
        texts = [variant_text(e.text, v) for v in variants for e in examples]
        labels = [e.label for _ in variants for e in examples]
        sources = [e.source for _ in variants for e in examples]
        return cls(texts, np.array(labels, dtype=np.int64), np.array(sources, dtype=np.str_))
