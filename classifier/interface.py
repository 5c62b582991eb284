"""What every classifier promises: a batch of texts in; scores, bands, reasons, version out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from classifier.thresholds import Band, Thresholds

MAX_CHARS = 5000  # longer texts are truncated (and flagged), never refused


@dataclass(frozen=True, slots=True)  # several per scored post
class Reason:
    """A phrase of the post and how much it pushed the score towards 'false' (can be negative)."""

    phrase: str
    weight: float


@dataclass(frozen=True)
class Prediction:
    """One text's result. `truncated`, `out_of_distribution` and `flags` say what limits the
    score (a text cut to length, a foreign language, an off-domain post); `flags` names each."""

    score: float  # calibrated probability that the post is false or misleading
    band: Band
    model_version: str
    reasons: tuple[Reason, ...] = ()
    truncated: bool = False
    out_of_distribution: bool = False
    flags: tuple[str, ...] = field(default=())


class EmptyTextError(ValueError):
    """Raised for empty or whitespace-only text: there is nothing to score."""


class Classifier(Protocol):
    @property
    def model_version(self) -> str: ...

    @property
    def thresholds(self) -> Thresholds: ...

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        """Score texts in order. `explain` adds reasons (costs extra model calls)."""
        ...


class LoadedModel:
    """`Classifier`'s two properties for a model that fixes both when it loads: a subclass sets
    `_version` and `_thresholds` in its `__init__`."""

    _version: str
    _thresholds: Thresholds

    @property
    def model_version(self) -> str:
        return self._version

    @property
    def thresholds(self) -> Thresholds:
        return self._thresholds
