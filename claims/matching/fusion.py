"""Candidate signals and how they are fused into one score (shared by the matcher and training).

Retrieval score of a candidate claim for a post, about 0..1:

    (w_claim * cos(post, vclaim) + w_title * cos(post, title)
     + w_combined * cos(post, "title: vclaim") + w_bm25 * bm25 / max_bm25) / (sum of weights)

When a cross-encoder is present, the `depth` best candidates are re-scored as
(1 - w_cross) * retrieval + w_cross * sigmoid(cross-encoder logit).

Candidates are ranked by that score, and it is what `suggest` and `confirmed` read. BM25
enters divided by the best BM25 any claim of the library reaches for the post, so the same post
and claim score higher in a small library, where the closest claim is nearly always also the
best by BM25 and takes the whole BM25 weight. `Fusion.dense`, the same mean without BM25, depends
on the post and the claim alone: a model may also ask `confirmed` matches to reach
`MatchThresholds.confirmed_dense` on it, so what a small library confirms is what a large one
would (the model card measures both).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier.io import read_json

Floats = npt.NDArray[np.float32]
SIGNALS = ("claim", "title", "combined", "bm25")  # bm25 last: `Fusion.dense` leaves it out
FUSED, DENSE = "fused", "dense"  # the two scores of a candidate (see the module docstring)


@dataclass(frozen=True)
class Fusion:
    claim: float = 1.0
    title: float = 0.5
    combined: float = 0.0
    bm25: float = 0.3
    cross: float = 0.0  # 0 means no cross-encoder re-ranking
    depth: int = 20  # candidates the cross-encoder re-scores

    def weights(self) -> Floats:
        return np.array([getattr(self, s) for s in SIGNALS], dtype=np.float32)

    def retrieval(self, signals: Floats) -> Floats:
        """signals: (candidates x SIGNALS) -> one score per candidate."""
        w = self.weights()
        fused: Floats = (signals @ w / max(float(w.sum()), 1e-9)).astype(np.float32)
        return fused

    def dense(self, signals: Floats) -> Floats:
        """signals: (candidates x SIGNALS) -> the weighted mean of the encoder's similarities
        alone (BM25 left out): what `MatchThresholds.confirmed_dense` reads."""
        w = self.weights()[: len(SIGNALS) - 1]
        mean: Floats = (signals[:, : len(w)] @ w / max(float(w.sum()), 1e-9)).astype(np.float32)
        return mean

    def scores(self, signals: Floats, scale: str) -> Floats:
        """Each candidate's score on `scale`, before any cross-encoder re-scoring."""
        return self.dense(signals) if scale == DENSE else self.retrieval(signals)

    def with_cross(self, retrieval: Floats, cross_logits: Floats) -> Floats:
        prob = 1.0 / (1.0 + np.exp(-cross_logits.astype(np.float64)))
        fused: Floats = ((1 - self.cross) * retrieval + self.cross * prob).astype(np.float32)
        return fused

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fusion:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class MatchThresholds:
    """Levels on the fused score of the best match; a shipped model carries its own (chosen on
    CheckThat train, where every query has a claim). These defaults suit the base model: the
    top-1 match scores >= 0.45 for 96% of train queries at 82% precision, >= 0.60 for 75% at
    89% precision."""

    suggest: float = 0.45  # shown to reviewers as a possible match
    confirmed: float = 0.60  # treated as the claim (incident key, labelling)
    # When set, a confirmed match must also reach this on the dense score (files without it: no).
    confirmed_dense: float | None = None

    def level(self, fused: float, dense: float | None) -> str | None:
        """ "confirmed", "suggest" or None for a candidate's two scores (dense None: not known,
        as for matches stored before it was kept; the fused score alone then decides)."""
        floor = self.confirmed_dense
        if fused >= self.confirmed and (floor is None or dense is None or dense >= floor):
            return "confirmed"
        return "suggest" if fused >= self.suggest else None


def load_matcher_config(path: Path) -> tuple[Fusion, MatchThresholds]:
    data = read_json(path)
    return Fusion.from_json(data["fusion"]), MatchThresholds(**data["thresholds"])


def candidate_signals(
    query: Floats,
    rows: npt.NDArray[np.int64],
    claim: Floats,
    title: Floats,
    combined: Floats | None,
    lexical: Floats,
) -> Floats:
    """(len(rows) x SIGNALS) for one query vector against the chosen library rows."""
    bm25 = lexical[rows] / max(float(lexical.max()), 1e-9)
    comb = combined[rows] @ query if combined is not None else np.zeros(len(rows), np.float32)
    out: Floats = np.stack([claim[rows] @ query, title[rows] @ query, comb, bm25], axis=1).astype(
        np.float32
    )
    return out


def candidate_rows(dense_rows: set[int], lexical: Floats, candidates: int) -> npt.NDArray[np.int64]:
    """Dense kNN rows plus the best BM25 rows with any term overlap, sorted."""
    lexical_rows = np.argsort(-lexical)[:candidates]
    picked = dense_rows | {int(r) for r in lexical_rows if lexical[r] > 0}
    return np.array(sorted(picked), dtype=np.int64)
