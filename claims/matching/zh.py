"""Chinese claim matching: Chinese posts against the library's Chinese claims, bge-small-zh.

The library holds claims in either language; a claim is Chinese when py3langid says `zh`
(`is_chinese`). English posts are matched by the shipped English matcher against the other
claims (`claims.library_service.LibraryMatcher(keep=...)`); Chinese posts by this one against
the Chinese claims: the Chinese encoder shipped with the Chinese falsehood model
(`models/bge-small-zh-*/encoder.onnx`, CLS or mean pooling as its `matcher.json` says), cosine
to the claim only (BM25's word tokens do not split Chinese, so its weight is 0), in process
(the Elasticsearch kNN index holds the English encoder's 384-d vectors).

Scores are put on the English matcher's scale, so one routing policy reads both: the raw
cosine's `suggest`/`confirmed` thresholds (chosen on the bundled paraphrase posts against the
generated everyday posts, see the model card) map linearly onto the shipped English matcher's
(`claims.matching.model.shipped_thresholds`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from claims.matching.fusion import Fusion, MatchThresholds
from claims.matching.matcher import Match
from claims.matching.model import MatcherParts
from classifier.io import read_json
from classifier.serving.embeddings import Embedder, Vectors

MATCHER_FILE = "matcher.json"
ZH_FUSION = Fusion(claim=1.0, title=0.0, combined=0.0, bm25=0.0)


def is_chinese(text: str) -> bool:
    """Chinese by py3langid (Cantonese and Wu included, `classifier.language.CHINESE_VARIETIES`)."""
    from classifier.language import CHINESE_VARIETIES, detect_language

    return detect_language(text) in CHINESE_VARIETIES | {"zh"}


def is_not_chinese(text: str) -> bool:
    return not is_chinese(text)


@dataclass(frozen=True)
class ScoreScale:
    """Raw cosine thresholds of the Chinese encoder and the scale they are mapped onto."""

    raw_suggest: float
    raw_confirmed: float
    suggest: float
    confirmed: float

    def apply(self, raw: float) -> float:
        slope = (self.confirmed - self.suggest) / (self.raw_confirmed - self.raw_suggest)
        return round(min(max(self.suggest + (raw - self.raw_suggest) * slope, 0.0), 1.0), 6)


@dataclass(frozen=True)
class ZhMatcherConfig:
    model_dir: Path
    pooling: str
    scale: ScoreScale

    @classmethod
    def load(cls, model_dir: Path) -> ZhMatcherConfig:
        from claims.matching.model import shipped_thresholds

        raw = read_json(model_dir / MATCHER_FILE)
        shipped = shipped_thresholds()
        scale = ScoreScale(
            float(raw["raw_thresholds"]["suggest"]),
            float(raw["raw_thresholds"]["confirmed"]),
            shipped.suggest,
            shipped.confirmed,
        )
        return cls(model_dir, str(raw["pooling"]), scale)


@lru_cache(maxsize=2)
def zh_parts(model_dir: Path | None = None) -> tuple[MatcherParts, ScoreScale] | None:
    """The Chinese matcher's parts (encoder, fusion, raw thresholds) and its scale; None when
    no Chinese model is shipped."""
    from classifier.zh.encoder import ZhEncoder
    from classifier.zh.serving import find_zh_model_dir

    chosen = model_dir or find_zh_model_dir()
    if chosen is None or not (chosen / MATCHER_FILE).is_file():
        return None
    config = ZhMatcherConfig.load(chosen)
    encoder = ZhEncoder(chosen, pooling=config.pooling)
    thresholds = MatchThresholds(config.scale.raw_suggest, config.scale.raw_confirmed)
    return MatcherParts(encoder, ZH_FUSION, thresholds, None, chosen), config.scale


class _Library(Protocol):  # the shape ScaledLibrary wraps (= pipeline.signals.ClaimLibrary)
    @property
    def embedder(self) -> Embedder: ...

    def match_vectors(
        self, cleaned: Sequence[str], vectors: Vectors, top: int = 3
    ) -> list[list[tuple[Match, str]]]: ...


class ScaledLibrary:
    """A claim library (`LibraryMatcher` or `FixedLibrary` over Chinese claims) whose scores
    are put on the English matcher's scale."""

    def __init__(self, inner: _Library, scale: ScoreScale) -> None:
        self._inner = inner
        self.scale = scale

    @property
    def embedder(self) -> Embedder:
        return self._inner.embedder

    def match_vectors(
        self, cleaned: Sequence[str], vectors: Vectors, top: int = 3
    ) -> list[list[tuple[Match, str]]]:
        found = self._inner.match_vectors(cleaned, vectors, top)
        return [
            [(replace(m, score=self.scale.apply(m.score)), verdict) for m, verdict in row]
            for row in found
        ]
