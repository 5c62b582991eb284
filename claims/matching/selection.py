"""Choosing the matcher's fusion weights and thresholds on held-out TRAIN queries.

Signals are computed once per (model, query) with the same candidate generation the matcher
uses; weights are then a cheap grid search on MAP@5 over those cached signals.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from claims.matching.evaluation import ClaimRow, RankingScores, evaluate_ranking
from claims.matching.fusion import (
    FUSED,
    Floats,
    Fusion,
    MatchThresholds,
    candidate_rows,
    candidate_signals,
)
from claims.matching.matcher import CANDIDATES, combined_text
from classifier.serving.embeddings import Embedder


@dataclass
class QuerySignals:
    query_id: str
    text: str
    rows: npt.NDArray[np.int64]
    signals: Floats
    cross: Floats | None = None  # logits for the `cross_rows` (best retrieval candidates)
    cross_rows: npt.NDArray[np.int64] | None = None


def held_out_signals(
    embedder: Embedder,
    claims: Sequence[ClaimRow],
    queries: Sequence[tuple[str, str]],
    lexical: Floats,
) -> list[QuerySignals]:
    """queries: (id, cleaned text); lexical: their BM25 rows against `claims`."""
    claim = embedder.embed([c.text for c in claims])
    title = embedder.embed([c.title or c.text for c in claims])
    combined = embedder.embed([combined_text(c) for c in claims])
    q_vectors = embedder.embed([t for _, t in queries])
    out: list[QuerySignals] = []
    for i, (qid, text) in enumerate(queries):
        dense = np.argsort(-(claim @ q_vectors[i]))[:CANDIDATES]
        rows = candidate_rows({int(r) for r in dense}, lexical[i], CANDIDATES)
        out.append(
            QuerySignals(
                qid,
                text,
                rows,
                candidate_signals(q_vectors[i], rows, claim, title, combined, lexical[i]),
            )
        )
    return out


def rank(
    signals: Sequence[QuerySignals],
    ids: Sequence[str],
    fusion: Fusion,
    top: int = 10,
    *,
    scale: str = FUSED,
) -> tuple[dict[str, list[str]], dict[str, float]]:
    """Rankings (the `top` claim ids, best first, by the fused score) and, per query, the
    score on `scale` of the claim ranked first."""
    rankings: dict[str, list[str]] = {}
    best: dict[str, float] = {}
    for q in signals:
        fused = fusion.retrieval(q.signals)
        level = fusion.scores(q.signals, scale)
        order = np.argsort(-fused, kind="stable")
        if fusion.cross > 0 and q.cross is not None and q.cross_rows is not None:
            position = {int(r): k for k, r in enumerate(q.rows)}
            head = np.array([position[int(r)] for r in q.cross_rows[: fusion.depth]])
            rescored = fusion.with_cross(fused[head], q.cross[: len(head)])
            head_order = head[np.argsort(-rescored, kind="stable")]
            fused, level = fused.copy(), level.copy()
            fused[head] = rescored
            level[head] = fusion.with_cross(level[head], q.cross[: len(head)])
            order = np.concatenate([head_order, [i for i in order if i not in set(head)]])
        rankings[q.query_id] = [ids[int(q.rows[i])] for i in order[:top]]
        best[q.query_id] = float(level[order[0]])
    return rankings, best


def grid_search(
    signals: Sequence[QuerySignals],
    ids: Sequence[str],
    qrels: Mapping[str, set[str]],
    base: Fusion,
    grid: Mapping[str, Sequence[Any]],
) -> tuple[Fusion, RankingScores]:
    """The fusion with the best MAP@5 (ties: MRR, then the earlier grid point)."""
    best: tuple[float, float, Fusion, RankingScores] | None = None
    names = list(grid)
    for values in itertools.product(*(grid[n] for n in names)):
        fusion = replace(base, **dict(zip(names, values, strict=True)))
        if fusion.weights().sum() <= 0:
            continue
        scores = evaluate_ranking(rank(signals, ids, fusion)[0], qrels, k=5)
        key = (scores.map_at_k, scores.mrr)
        if best is None or key > best[:2]:
            best = (*key, fusion, scores)
    assert best is not None
    return best[2], best[3]


def no_match_scores(
    signals: Sequence[QuerySignals],
    ids: Sequence[str],
    fusion: Fusion,
    qrels: Mapping[str, set[str]],
    *,
    scale: str = FUSED,
) -> dict[str, float]:
    """Each query's best score on `scale` once its relevant claims are out of the library:
    what a post whose claim is not in the library scores. (BM25 keeps its per-query scale, an
    approximation on the fused scale.)"""
    stripped: list[QuerySignals] = []
    for q in signals:
        relevant = qrels[q.query_id]
        keep = np.array([ids[int(r)] not in relevant for r in q.rows], dtype=bool)
        out = QuerySignals(q.query_id, q.text, q.rows[keep], q.signals[keep])
        if q.cross is not None and q.cross_rows is not None:
            kept = np.array([ids[int(r)] not in relevant for r in q.cross_rows], dtype=bool)
            out.cross, out.cross_rows = q.cross[kept], q.cross_rows[kept]
        stripped.append(out)
    return rank(stripped, ids, fusion, scale=scale)[1]


def choose_thresholds(
    best_scores: Mapping[str, float],
    top_correct: Callable[[str], bool],
    suggest_precision: float = 0.80,
    confirmed_precision: float = 0.90,
    *,
    no_match: Mapping[str, float] | None = None,
    suggest_false_rate: float = 0.20,
    confirmed_false_rate: float = 0.05,
) -> MatchThresholds:
    """Each level at the lowest score cut whose top-1 precision (at or above the cut) reaches
    its target and, given `no_match` scores, that at most the given share of posts whose claim
    is not in the library reach. Without the second condition every held-out query has a claim,
    so the cuts drift down to the lowest score."""

    def cut(target: float) -> float:
        ordered = sorted(best_scores.items(), key=lambda kv: -kv[1])
        chosen, hits = ordered[0][1], 0
        for n, (qid, score) in enumerate(ordered, start=1):
            hits += top_correct(qid)
            if hits / n >= target:
                chosen = score
        return float(chosen)

    def above_no_match(false_rate: float) -> float:
        if not no_match:
            return float("-inf")
        return float(np.quantile(np.array(list(no_match.values())), 1 - false_rate))

    confirmed = max(cut(confirmed_precision), above_no_match(confirmed_false_rate))
    suggest = min(max(cut(suggest_precision), above_no_match(suggest_false_rate)), confirmed)
    return MatchThresholds(suggest=round(suggest, 3), confirmed=round(confirmed, 3))


def level_thresholds(
    signals: Sequence[QuerySignals],
    ids: Sequence[str],
    fusion: Fusion,
    qrels: Mapping[str, set[str]],
    scale: str,
) -> MatchThresholds:
    """The two levels on `scale`'s scores by `choose_thresholds`' rule, from these queries'
    signals: top-1 precision 80% / 90% and at most 20% / 5% of the queries, their claims taken
    out, at or above."""
    rankings, top_scores = rank(signals, ids, fusion, scale=scale)
    return choose_thresholds(
        top_scores,
        lambda qid: rankings[qid][0] in qrels[qid],
        no_match=no_match_scores(signals, ids, fusion, qrels, scale=scale),
    )
