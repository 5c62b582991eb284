"""The head's cross-set report: the suite's report.json / report.html / reliability PNGs, plus
the TF-IDF LOSO reference on the same sets and the shipped model's figures from its card."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from classifier.shared_head.data import VARIANTS
from classifier.shared_head.evaluation import extra_means
from classifier.training import suite, suite_report
from classifier.training.evalsets import EvalSet
from classifier.training.evaluate import DESTYLE_SUMMARY

SHIPPED_DATASETS = frozenset({"constraint_covid19", "liar"})
# minilm-l6-constraint-liar-2026.11.29/MODEL_CARD.md (veracity evaluate, same sets and caps):
# means over coaid, covid19_rumor and fever_paper_dev, original text.
SHIPPED_CARD = {
    "model (calibration.json only)": {
        "mean_ece": 0.427,
        "mean_auc": 0.6152,
        "constraint_f1": 0.9704,
    },
    "model + out-of-domain layer (LOSO)": {
        "mean_ece": 0.2156,
        "mean_auc": 0.6169,
        "constraint_f1": 0.9704,
    },
}


def tfidf_rows(sets: Sequence[EvalSet], in_domain: set[str]) -> list[dict[str, Any]]:
    """`tfidf_loso` exactly as the suite computes it (raw text, the other sets' fit parts)."""
    rows: list[dict[str, Any]] = []
    for s in sets:
        train = [e for o in sets if o is not s for e in o.fit]
        if not s.eval or len({e.label for e in train}) < 2:
            continue
        y = suite._labels(s.eval)
        for variant in VARIANTS:
            p = suite.tfidf_probs(train, suite._texts(s, variant))
            rows.append(suite.metric_row(s.name, s.name in in_domain, "tfidf_loso", variant, p, y))
    return rows


def write_report(
    sets: Sequence[EvalSet],
    rows: Sequence[dict[str, Any]],
    details: dict[str, Any],
    out: Path,
    *,
    encoder: str,
    in_domain: set[str],
) -> dict[str, Any]:
    card_sets = [s.name for s in sets if s.name not in in_domain]
    report: dict[str, Any] = {
        "model_version": f"shared encoder head over {encoder}",
        **suite_report.sets_section(sets, in_domain),
        "destyle": DESTYLE_SUMMARY,
        "note": (
            "in_domain marks the shipped model's training sets (as in veracity evaluate), so "
            "'ood' means compare with its card; shared_head_loso never saw the set it is "
            "scored on; shared_head_all_sets was trained on every set's fit part"
        ),
        "loso": details,
        "summary": suite.summarise(rows),
        "means": extra_means(rows, card_sets),
        "shipped_model_from_card": SHIPPED_CARD,
        "targets": suite_report.TARGETS,
    }
    suite_report.write(report, rows, out)
    return report
