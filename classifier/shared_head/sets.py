"""The veracity sets as `veracity evaluate` builds them, and every text the head needs."""

from __future__ import annotations

from pathlib import Path

from classifier.shared_head.data import VARIANTS, Rows
from classifier.training.evalsets import DEFAULT_SETS, EvalSet, deoverlap, veracity_sets


def load_sets(data_dir: Path, max_per_set: int | None, names: str | None = None) -> list[EvalSet]:
    """Exactly the suite's sets: official splits where they exist, SHA-256 halves otherwise,
    evaluation parts without texts seen in any fit part, each part capped."""
    chosen = tuple(names.split(",")) if names else DEFAULT_SETS
    return deoverlap(veracity_sets(data_dir, chosen), max_per_set)


def all_texts(sets: list[EvalSet]) -> list[str]:
    """Every encoder input training and evaluation will ask for (fit and eval, both forms)."""
    texts: list[str] = []
    for s in sets:
        texts += Rows.of(s.fit, VARIANTS).texts + Rows.of(s.eval, VARIANTS).texts
    return texts
