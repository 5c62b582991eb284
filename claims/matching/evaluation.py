"""Reading CheckThat 2020 Task 2 files and scoring a ranking: MAP@k, MRR, P@1."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import Invalid
from core.user_files import read_text

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


ID_COLUMNS = ("", "id")  # CheckThat's files head the id column with nothing; `id` is taken too


def _rows(path: Path, text_column: str) -> tuple[str, list[dict[str, str]]]:
    """The id column's name and the rows of a TSV file a person named; an unreadable file (absent,
    a folder, not UTF-8) or a header without the id or `text_column` is refused by name."""
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""), delimiter="\t")
    header = reader.fieldnames or []
    id_column = next((c for c in ID_COLUMNS if c in header), None)
    missing = ["id"] if id_column is None else []
    missing += [] if text_column in header else [text_column]
    if id_column is None or missing:
        raise Invalid(f"{path}: header lacks column(s) {', '.join(missing)} (has {header})")
    return id_column, list(reader)


def read_claims(path: Path) -> list[ClaimRow]:
    """Claims TSV: id (an empty header, or `id`), `vclaim`, optional `title`."""
    id_column, rows = _rows(path, "vclaim")
    return [ClaimRow(r[id_column].strip(), r["vclaim"] or "", r.get("title") or "") for r in rows]


def read_queries(path: Path) -> list[QueryRow]:
    """Queries TSV: id (an empty header, or `id`), `tweet_content`."""
    id_column, rows = _rows(path, "tweet_content")
    return [QueryRow(r[id_column].strip(), r["tweet_content"] or "") for r in rows]


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
