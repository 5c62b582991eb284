"""`ZhClassifier`: the `Classifier` for Chinese posts (bge-small-zh-v1.5 int8 + stacked head).

pre:  hygiene (`text_guard.clean_text`), Traditional -> Simplified for the models only;
core: one encoder pass (`ZhEncoder`), the stacked head (`StackedHead`);
post: calibrated probability -> band (the directory's `thresholds.json`); optional reasons by
      occluding clauses (split at Chinese and Latin punctuation: a Chinese post has no spaces
      to split words at), in calibrated log-odds like the English model's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from classifier.calibration import log_odds
from classifier.interface import LoadedModel, Prediction, Reason
from classifier.serving.text_guard import clean_text, sanitize
from classifier.thresholds import Thresholds
from classifier.zh.encoder import ZhEncoder
from classifier.zh.head import StackedHead, read_config

MODELS_ROOT = Path(__file__).resolve().parents[2] / "models"
PREFIX = "bge-small-zh-"
_CLAUSE = re.compile(r"[^，。！？；：、,.!?;:\s【】\[\]（）()“”\"…~～]+")
MAX_CLAUSES = 12
TOP_K = 5


def find_zh_model_dir(root: Path = MODELS_ROOT) -> Path | None:
    """$VERACITY_ZH_MODEL_DIR, else the newest `models/bge-small-zh-*/` with a head."""
    import os

    env = os.environ.get("VERACITY_ZH_MODEL_DIR")
    if env:
        return Path(env)
    found = sorted(d for d in root.glob(f"{PREFIX}*") if (d / "head.npz").is_file())
    return found[-1] if found else None


def clause_spans(text: str) -> list[tuple[int, int]]:
    """At most MAX_CLAUSES character spans to occlude (neighbouring clauses merged)."""
    spans = [(m.start(), m.end()) for m in _CLAUSE.finditer(text)]
    if len(spans) <= MAX_CLAUSES:
        return spans
    size = -(-len(spans) // MAX_CLAUSES)
    return [
        (spans[i][0], spans[min(i + size, len(spans)) - 1][1]) for i in range(0, len(spans), size)
    ]


class ZhClassifier(LoadedModel):
    def __init__(self, model_dir: Path, *, threads: int | None = None) -> None:
        self.model_dir = Path(model_dir)
        config = read_config(self.model_dir)
        self._version = str(config["model_version"])
        self.encoder = ZhEncoder(
            self.model_dir,
            pooling=str(config["pooling"]),
            max_tokens=int(config["max_tokens"]),
            threads=threads,
        )
        if config.get("encoder") not in (None, self.encoder.name):
            raise ValueError(f"head trained on {config['encoder']!r}, not {self.encoder.name!r}")
        self.head = StackedHead.load(self.model_dir)
        self._thresholds = Thresholds.load(self.model_dir / "thresholds.json")

    def scores(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Calibrated probability false for already-clean texts."""
        if not texts:
            return np.zeros(0, dtype=np.float64)
        return self.head.probability(self.encoder.embed(texts), texts)

    def _logits(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        return log_odds(self.scores(texts))

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        cleaned = [clean_text(sanitize(t)) for t in texts]
        bodies = [c for c, _ in cleaned]
        probs = self.scores(bodies)
        reasons = self.reasons(bodies, probs) if explain else None
        out: list[Prediction] = []
        for i, (_, cut) in enumerate(cleaned):
            score = round(float(probs[i]), 6)
            out.append(
                Prediction(
                    score=score,
                    band=self._thresholds.band_for(score),
                    model_version=self._version,
                    reasons=reasons[i] if reasons is not None else (),
                    truncated=cut,
                    flags=("truncated",) if cut else (),
                )
            )
        return out

    def reasons(
        self, bodies: Sequence[str], probs: npt.NDArray[np.float64]
    ) -> list[tuple[Reason, ...]]:
        """Per post, up to TOP_K clauses and how far removing each moves the log-odds."""
        base = log_odds(probs)
        spans = [clause_spans(b) for b in bodies]
        variants = [
            (b[:s] + b[e:]).strip() or "。"
            for b, ss in zip(bodies, spans, strict=True)
            for s, e in ss
        ]
        occluded = self._logits(variants) if variants else np.zeros(0)
        out: list[tuple[Reason, ...]] = []
        pos = 0
        for body, ss, z in zip(bodies, spans, base, strict=True):
            weights = [(body[s:e], float(z - occluded[pos + k])) for k, (s, e) in enumerate(ss)]
            pos += len(ss)
            ranked = sorted(weights, key=lambda w: -abs(w[1]))[:TOP_K]
            out.append(tuple(Reason(ph, round(w, 4)) for ph, w in ranked if abs(w) > 1e-4))
        return out


@lru_cache(maxsize=2)
def load_zh_classifier(model_dir: Path | None = None) -> ZhClassifier | None:
    """The shipped Chinese model, once per process; None when none is shipped."""
    chosen = model_dir or find_zh_model_dir()
    if chosen is None:
        return None
    return ZhClassifier(chosen)
