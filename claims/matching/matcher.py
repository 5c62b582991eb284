"""Matching posts to library claims: dense kNN candidates plus BM25 candidates, re-ranked by a
linear fusion of similarity signals (`claims.matching.fusion`), optionally re-scored by a
cross-encoder, then thresholded.

Repeated claims are indexed once (`first_of_duplicates`). The base model's default weights
were chosen on CheckThat 2020 Task 2 TRAIN (MAP@5 there 0.896 with the author prefix and
de-duplication, 0.856 without). A fine-tuned model directory (`claims.matching.model`) carries
its own fusion weights and thresholds, chosen by cross-validation on train.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from claims.index import NumpyIndex, VectorIndex
from claims.matching.bm25 import BM25
from claims.matching.evaluation import ClaimRow
from claims.matching.fusion import (
    Floats,
    Fusion,
    MatchThresholds,
    candidate_rows,
    candidate_signals,
)
from claims.matching.rerank import Reranker
from classifier.post_text import clean_post, duplicate_key
from classifier.serving.embeddings import Embedder, Vectors, cached_embed

CANDIDATES = 50

__all__ = ["CANDIDATES", "ClaimMatcher", "Match", "MatchThresholds", "combined_text"]


@dataclass(frozen=True)
class Match:
    claim_id: str
    score: float  # fused, about 0..1
    similarity: float  # cosine between post and claim text
    level: str | None  # "confirmed", "suggest" or None
    dense: float  # the fused mean without BM25 (`Fusion.dense`), about 0..1


def combined_text(claim: ClaimRow) -> str:
    return f"{claim.title}: {claim.text}" if claim.title else claim.text


def first_of_duplicates(claims: Sequence[ClaimRow]) -> tuple[list[ClaimRow], dict[str, str]]:
    """The library without repeats, and each dropped claim's id -> the id it repeats.

    A fact-check re-imported with other quote marks or spacing is the same claim; indexing
    both splits the votes between near-identical vectors and lets noise pick the copy. The
    first recorded copy stands for the group (on CheckThat train, 186 of the 190 queries whose
    claim has a copy point at the first one)."""
    kept: list[ClaimRow] = []
    first: dict[str, str] = {}
    repeats: dict[str, str] = {}
    for claim in claims:
        key = duplicate_key(claim.text) or claim.id
        if key in first:
            repeats[claim.id] = first[key]
        else:
            first[key] = claim.id
            kept.append(claim)
    return kept, repeats


class ClaimMatcher:
    def __init__(
        self,
        embedder: Embedder,
        index: VectorIndex | None = None,
        *,
        thresholds: MatchThresholds | None = None,
        fusion: Fusion | None = None,
        reranker: Reranker | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self._embedder = embedder
        # not `index or ...`: an empty index has len() 0, so it is falsy
        self._index: VectorIndex = NumpyIndex(embedder.dimensions) if index is None else index
        self.thresholds = thresholds or MatchThresholds()
        self.fusion = fusion or Fusion()
        self._reranker = reranker if self.fusion.cross > 0 else None
        self._cache_dir = cache_dir
        self._ids: list[str] = []
        self._texts: list[str] = []
        empty = np.zeros((0, embedder.dimensions), dtype=np.float32)
        self._claim_vectors, self._title_vectors = empty, empty
        self._combined_vectors: Vectors | None = None
        self._bm25: BM25 | None = None
        self.repeats: dict[str, str] = {}  # dropped duplicate claim id -> the id kept

    def fit(self, claims: Sequence[ClaimRow]) -> None:
        """Index a claim library (replacing any earlier one in this matcher); repeated claims
        are indexed once, under the first copy's id (`first_of_duplicates`)."""
        claims, self.repeats = first_of_duplicates(claims)
        self._ids = [c.id for c in claims]
        self._texts = [combined_text(c) for c in claims]
        embed = self._embed
        self._claim_vectors = embed([c.text for c in claims])
        self._title_vectors = embed([c.title or c.text for c in claims])
        self._combined_vectors = embed(self._texts) if self.fusion.combined else None
        self._bm25 = BM25([f"{c.text} {c.title}" for c in claims]) if claims else None
        self._index.upsert(self._ids, self._claim_vectors)

    def _embed(self, texts: list[str]) -> Vectors:
        return cached_embed(self._embedder, texts, self._cache_dir)

    def __len__(self) -> int:
        return len(self._ids)

    def match(self, texts: Sequence[str], top: int = 5) -> list[list[Match]]:
        """The best `top` claims for each text, best first."""
        if not self._ids or self._bm25 is None:
            return [[] for _ in texts]
        cleaned = [clean_post(t) or t for t in texts]
        return self.match_vectors(cleaned, self._embedder.embed(cleaned), top)

    def match_vectors(
        self, cleaned: Sequence[str], queries: Vectors, top: int = 5
    ) -> list[list[Match]]:
        """`match` for texts already cleaned (`clean_post`) and embedded by this matcher's
        encoder: intake embeds a post once for the matcher and the check-worthiness head."""
        if not self._ids or self._bm25 is None:
            return [[] for _ in cleaned]
        knn = self._index.search(queries, CANDIDATES)
        lexical = self._bm25.scores(cleaned)
        row_of = {cid: i for i, cid in enumerate(self._ids)}
        # A shared index (Elasticsearch) may still hold claims this library no longer has.
        dense = [{row_of[h.claim_id] for h in hits if h.claim_id in row_of} for hits in knn]
        return [
            self._rerank(cleaned[q], queries[q], lexical[q], dense[q], top)
            for q in range(len(cleaned))
        ]

    def _rerank(
        self, text: str, query: Vectors, lexical: Floats, dense_rows: set[int], top: int
    ) -> list[Match]:
        rows = candidate_rows(dense_rows, lexical, CANDIDATES)
        signals = candidate_signals(
            query,
            rows,
            self._claim_vectors,
            self._title_vectors,
            self._combined_vectors,
            lexical,
        )
        fused = self.fusion.retrieval(signals)
        dense = self.fusion.dense(signals)
        order = np.argsort(-fused, kind="stable")
        if self._reranker is not None:
            head = order[: self.fusion.depth]
            logits = self._reranker.score(text, [self._texts[rows[i]] for i in head])
            fused, dense = fused.copy(), dense.copy()
            fused[head] = self.fusion.with_cross(fused[head], logits)
            dense[head] = self.fusion.with_cross(dense[head], logits)
            # Re-scored candidates stay ahead of the rest, whose scores are not comparable.
            order = np.concatenate(
                [head[np.argsort(-fused[head], kind="stable")], order[len(head) :]]
            )
        return [
            Match(
                self._ids[rows[i]],
                round(float(fused[i]), 6),
                round(float(signals[i, 0]), 6),
                self.thresholds.level(float(fused[i]), float(dense[i])),
                round(float(dense[i]), 6),
            )
            for i in order[:top]
        ]
