"""Reading CheckThat 2020 Task 2 files and scoring a ranking: MAP@k, MRR, P@1."""

from __future__ import annotations

import csv
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import Invalid

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class ClaimRow:
    id: str
    text: str  # the verified claim (`vclaim`)
    title: str = ""


@dataclass(frozen=True)
class QueryRow:
    id: str
    text: str


def _rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise Invalid(f"{path}: header lacks column(s) {', '.join(missing)} (has {header})")
        return list(reader)


def read_claims(path: Path) -> list[ClaimRow]:
    """Claims TSV: id (empty header), `vclaim`, optional `title`."""
    rows = _rows(path, ["", "vclaim"])
    return [ClaimRow(r[""].strip(), r["vclaim"] or "", r.get("title") or "") for r in rows]


def read_queries(path: Path) -> list[QueryRow]:
    """Queries TSV: id (empty header), `tweet_content`."""
    rows = _rows(path, ["", "tweet_content"])
    return [QueryRow(r[""].strip(), r["tweet_content"] or "") for r in rows]


def read_qrels(path: Path) -> dict[str, set[str]]:
    """TREC qrels: `query_id 0 claim_id relevance` (tab or space separated)."""
    relevant: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 4 and int(parts[3]) > 0:
            relevant.setdefault(parts[0], set()).add(parts[2])
    return relevant


@dataclass(frozen=True)
class RankingScores:
    map_at_k: float
    mrr: float
    precision_at_1: float
    queries: int
    k: int


def average_precision(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    hits, total = 0, 0.0
    for rank, claim_id in enumerate(ranked[:k], start=1):
        if claim_id in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k) if relevant else 0.0


def evaluate_ranking(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]], k: int = 5
) -> RankingScores:
    """Scores over the queries that have relevance judgements; a missing ranking counts 0."""
    ap, rr, p1 = 0.0, 0.0, 0.0
    for query_id, relevant in qrels.items():
        ranked = list(rankings.get(query_id, ()))
        ap += average_precision(ranked, relevant, k)
        first = next((i for i, c in enumerate(ranked, start=1) if c in relevant), None)
        rr += 1.0 / first if first else 0.0
        p1 += 1.0 if ranked[:1] and ranked[0] in relevant else 0.0
    n = max(len(qrels), 1)
    return RankingScores(ap / n, rr / n, p1 / n, len(qrels), k)
