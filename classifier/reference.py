"""A tiny, deterministic reference classifier so other modules' tests need no model weights.

It scores by cue words that fact-checked false posts often carry. It is not a model of truth;
the real one lives in `classifier.serving.onnx_classifier`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from classifier.interface import LoadedModel, Prediction, Reason
from classifier.serving.text_guard import clean_text, is_out_of_distribution
from classifier.thresholds import Thresholds

_CUES: dict[str, float] = {
    "hoax": 2.0,
    "cure": 1.6,
    "miracle": 2.2,
    "secret": 1.4,
    "they don't want": 2.0,
    "5g": 2.0,
    "microchip": 2.4,
    "bill gates": 1.8,
    "plandemic": 2.6,
    "fake": 1.0,
    "exposed": 1.2,
    "share before": 2.2,
    "bleach": 2.4,
    "garlic": 1.4,
    "100%": 1.0,
    "banned": 1.0,
    "shocking": 1.2,
    "truth": 0.8,
    "!!": 0.8,
    "according to": -1.4,
    "study": -0.8,
    "cdc": -1.0,
    "who": -0.6,
    "confirmed cases": -1.6,
    "ministry": -1.2,
    "tested": -0.8,
    "data": -0.6,
    "guidance": -1.2,
    "#indiafightscorona": -1.6,
}
_BIAS = -1.0
_WORD = re.compile(r"[\w#%!'-]+")


class ReferenceClassifier(LoadedModel):
    def __init__(self, thresholds: Thresholds | None = None, version: str = "reference-0") -> None:
        self._thresholds = thresholds or Thresholds.default()
        self._version = version

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        return [self._one(text, explain) for text in texts]

    def _one(self, text: str, explain: bool) -> Prediction:
        cleaned, truncated = clean_text(text)
        lowered = " ".join(_WORD.findall(cleaned.lower()))
        hits = [(cue, w) for cue, w in _CUES.items() if _contains(lowered, cue)]
        logit = _BIAS + sum(w for _, w in hits)
        score = 1.0 / (1.0 + math.exp(-logit))
        reasons = tuple(Reason(c, w) for c, w in sorted(hits, key=lambda h: -abs(h[1]))[:5])
        ood = is_out_of_distribution(cleaned)
        flags = tuple(f for f, on in (("truncated", truncated), ("out_of_distribution", ood)) if on)
        return Prediction(
            score=round(score, 6),
            band=self._thresholds.band_for(score),
            model_version=self._version,
            reasons=reasons if explain else (),
            truncated=truncated,
            out_of_distribution=ood,
            flags=flags,
        )


def _contains(lowered: str, cue: str) -> bool:
    if cue.isalnum():
        return re.search(rf"\b{re.escape(cue)}\b", lowered) is not None
    return cue in lowered
