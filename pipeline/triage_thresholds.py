"""Choosing the routing policy's check-worthiness thresholds on labelled dev data only.

`python -m pipeline.triage_thresholds` scores the dev splits of the check-worthiness sets
(ClaimBuster groundtruth, CheckThat 2021 1A dev, CheckThat 2022 1A dev; never `dev_test`, never
the ordinary-posts corpus) with the shipped head and prints, per threshold, the mean over sets
of recall and precision on the check-worthy class.

The rule (written down before the ordinary-posts rates were measured with it):
- `checkworthiness_min` is the head's own operating point (its `threshold`, the F1-optimal one
  out of fold on train; mean dev F1 is flat from 0.15 to 0.30 around it);
- `checkworthiness_urgent_min` is the lowest threshold whose mean dev precision reaches 0.75:
  urgent is for posts that very likely state a claim.
A first rule chose both for recall (mean dev recall 0.90 and 0.75: 0.12 and 0.24); on the
ordinary posts it sent 6.1% to review or urgent and 1.25% urgent, over the targets, so it was
replaced (see the model card's "Triage" section). Both are printed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

GATE_RECALL, URGENT_RECALL = 0.90, 0.75  # the first rule, kept for the record
URGENT_PRECISION = 0.75
GRID = np.round(np.arange(0.02, 0.901, 0.01), 2)
DevScores = dict[str, tuple[np.ndarray, np.ndarray]]  # set -> (scores, labels)


def mean_recall(scores: DevScores, threshold: float) -> float:
    """Mean over sets of the share of check-worthy rows scored at or above `threshold`."""
    return float(np.mean([np.mean(s[y == 1] >= threshold) for s, y in scores.values()]))


def mean_precision(scores: DevScores, threshold: float) -> float:
    return float(
        np.mean(
            [
                np.mean(y[s >= threshold] == 1) if (s >= threshold).any() else 1.0
                for s, y in scores.values()
            ]
        )
    )


def lowest_with_precision(scores: DevScores, goal: float) -> float:
    return next((float(t) for t in GRID if mean_precision(scores, float(t)) >= goal), 1.0)


def highest_with_recall(scores: DevScores, goal: float) -> float:
    kept = [float(t) for t in GRID if mean_recall(scores, float(t)) >= goal]
    return max(kept) if kept else float(GRID[0])


def dev_scores(data_dir: Path) -> tuple[DevScores, float]:
    """Each dev set's scores and labels, and the head's own operating point."""
    from classifier.checkworthiness import load_checkworthiness
    from classifier.checkworthiness.data import load_all

    head = load_checkworthiness()
    rows = [ex for ex in load_all(data_dir) if ex.split == "dev"]
    out: DevScores = {}
    for source in sorted({ex.source for ex in rows}):
        mine = [ex for ex in rows if ex.source == source]
        scores = np.array(head.score([ex.text for ex in mine]))
        out[source] = (scores, np.array([ex.label for ex in mine]))
    return out, head.threshold


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    data_dir = (
        Path(args[0]) if args else Path(__file__).resolve().parents[2] / "shared" / "datasets"
    )
    scores, gate = dev_scores(data_dir)
    urgent = lowest_with_precision(scores, URGENT_PRECISION)
    report = {
        "sets": {k: {"n": len(y), "positives": int(y.sum())} for k, (_, y) in scores.items()},
        "checkworthiness_min": gate,
        "recall_at_min": round(mean_recall(scores, gate), 4),
        "precision_at_min": round(mean_precision(scores, gate), 4),
        "checkworthiness_urgent_min": urgent,
        "recall_at_urgent_min": round(mean_recall(scores, urgent), 4),
        "precision_at_urgent_min": round(mean_precision(scores, urgent), 4),
        "first_rule_by_recall": {
            "checkworthiness_min": highest_with_recall(scores, GATE_RECALL),
            "checkworthiness_urgent_min": highest_with_recall(scores, URGENT_RECALL),
        },
        "per_set_recall_at_min": {
            k: round(float(np.mean(s[y == 1] >= gate)), 4) for k, (s, y) in scores.items()
        },
        "per_set_share_kept_at_min": {
            k: round(float(np.mean(s >= gate)), 4) for k, (s, y) in scores.items()
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
