"""Choosing a matcher's `confirmed_dense` level (`claims.matching.fusion`) without training.

`python -m claims.matching.relevel --model models/claim-matcher-X [--data DIR] [--write]`
scores every CheckThat 2020 Task 2 TRAIN query with the model's own encoder against the whole
verified-claims collection and chooses, by the training rule (`selection.level_thresholds`), the
`confirmed` level on the dense score: a confirmed match must then reach the model's fused
`confirmed` and this. `suggest` and `confirmed` are kept. DEV is only reported. The final encoder
was fine-tuned on these train queries, so their scores are in-sample, not out of fold as in
training; the same rule on the fused score gives back the thresholds training chose (0.522 /
0.609 against 0.524 / 0.609), which is why the in-sample choice is trusted. `--write` stores the
level in the model's `matcher.json` and the report under `levels` in `metrics.json`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from claims.match_cli import default_data_dir
from claims.matching.bm25 import BM25
from claims.matching.evaluation import read_claims, read_qrels, read_queries
from claims.matching.fusion import DENSE, FUSED, Fusion, MatchThresholds
from claims.matching.matcher import first_of_duplicates
from claims.matching.model import CONFIG_FILE, MatcherParts, load_parts, shipped_model_dir
from claims.matching.selection import (
    QuerySignals,
    held_out_signals,
    level_thresholds,
    no_match_scores,
    rank,
)
from classifier.io import read_json, write_json
from classifier.post_text import clean_post

SPLITS = ("train", "dev")


def _log(message: str) -> None:
    print(f"[relevel] {message}", file=sys.stderr, flush=True)


def level_report(
    signals: Sequence[QuerySignals],
    ids: Sequence[str],
    fusion: Fusion,
    qrels: Mapping[str, set[str]],
    thresholds: MatchThresholds,
) -> dict[str, float]:
    """At each level: the share of queries whose first claim is right and at the level
    (recall), the share right among those at the level (precision), and the share of queries at
    the level once their claims are out of the library (a post with no claim there)."""
    rankings, fused = rank(signals, ids, fusion, scale=FUSED)
    dense = rank(signals, ids, fusion, scale=DENSE)[1]
    none_fused = no_match_scores(signals, ids, fusion, qrels, scale=FUSED)
    none_dense = no_match_scores(signals, ids, fusion, qrels, scale=DENSE)
    right = np.array([rankings[q.query_id][0] in qrels[q.query_id] for q in signals])
    level = [thresholds.level(fused[q.query_id], dense[q.query_id]) for q in signals]
    missing = [thresholds.level(none_fused[q.query_id], none_dense[q.query_id]) for q in signals]
    out: dict[str, float] = {"queries": len(signals)}
    for name, reached in (("suggest", {"suggest", "confirmed"}), ("confirmed", {"confirmed"})):
        at = np.array([lv in reached for lv in level])
        out[f"{name}_recall"] = round(float(np.mean(right & at)), 4)
        out[f"{name}_precision"] = round(float(right[at].mean()) if at.any() else 1.0, 4)
        out[f"{name}_no_claim_share"] = round(float(np.mean([lv in reached for lv in missing])), 4)
    return out


def split_signals(
    parts: MatcherParts, data: Path
) -> tuple[list[str], dict[str, tuple[list[QuerySignals], dict[str, set[str]]]]]:
    """Each split's query signals against the de-duplicated collection, with its qrels."""
    claims, _ = first_of_duplicates(read_claims(data / "verified_claims.docs.tsv"))
    bm25 = BM25([f"{c.text} {c.title}" for c in claims])
    queries: list[tuple[str, str]] = []
    qrels: dict[str, dict[str, set[str]]] = {}
    for split in SPLITS:
        qrels[split] = read_qrels(data / split / "tweet-vclaim-pairs.qrels")
        rows = [
            q for q in read_queries(data / split / "tweets.queries.tsv") if q.id in qrels[split]
        ]
        queries += [(f"{split}:{q.id}", clean_post(q.text) or q.text) for q in rows]
    name = parts.model_dir.name if parts.model_dir else "the base model"
    _log(f"embedding {len(claims)} claims and {len(queries)} queries with {name}")
    signals = held_out_signals(
        parts.embedder, claims, queries, bm25.scores([t for _, t in queries])
    )
    out: dict[str, tuple[list[QuerySignals], dict[str, set[str]]]] = {}
    for split in SPLITS:
        mine = [q for q in signals if q.query_id.startswith(f"{split}:")]
        for q in mine:
            q.query_id = q.query_id.split(":", 1)[1]
        out[split] = (mine, qrels[split])
    return [c.id for c in claims], out


def relevel(model_dir: Path, data: Path) -> dict[str, Any]:
    parts = load_parts(model_dir)
    fusion, shipped = parts.fusion, parts.thresholds
    ids, by_split = split_signals(parts, data)
    train, train_qrels = by_split["train"]
    on_dense = level_thresholds(train, ids, fusion, train_qrels, DENSE)
    chosen = replace(shipped, confirmed_dense=on_dense.confirmed)
    report: dict[str, Any] = {"chosen": asdict(chosen), "shipped": asdict(shipped)}
    for split, (signals, qrels) in by_split.items():
        report[split] = {
            "chosen": level_report(signals, ids, fusion, qrels, chosen),
            "shipped": level_report(signals, ids, fusion, qrels, shipped),
        }
    return report


def write_levels(model_dir: Path, report: dict[str, Any]) -> None:
    config: dict[str, Any] = read_json(model_dir / CONFIG_FILE)
    config["thresholds"] = report["chosen"]
    write_json(model_dir / CONFIG_FILE, config)
    metrics_file = model_dir / "metrics.json"
    metrics = read_json(metrics_file) if metrics_file.is_file() else {}
    metrics["levels"] = report
    write_json(metrics_file, metrics)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m claims.matching.relevel", description=__doc__)
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped matcher")
    parser.add_argument("--data", type=Path, default=None, help="the CheckThat 2020 Task 2 folder")
    parser.add_argument("--write", action="store_true", help="store the chosen levels")
    args = parser.parse_args(argv)
    model_dir = args.model or shipped_model_dir()
    if model_dir is None or not (model_dir / CONFIG_FILE).is_file():
        parser.error("no matcher model directory (give --model)")
    data = args.data or default_data_dir()
    if not (data / "verified_claims.docs.tsv").is_file():
        parser.error(f"{data} has no verified_claims.docs.tsv (give --data)")
    report = relevel(model_dir, data)
    print(json.dumps(report, indent=2))
    if args.write:
        write_levels(model_dir, report)
        _log(f"wrote {model_dir / CONFIG_FILE} and metrics.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
