"""The sets `veracity evaluate` reports on: each with a fit part and an evaluation part.

The fit part is what a reference model or a calibration layer may learn from when the set is
*not* the one held out; the evaluation part is only ever scored. Official splits are used
where a set has them (Constraint: train / Val, LIAR: train / valid; the official test splits
are held back and never read). Sets without a split are halved deterministically by a hash of
the normalised text, so every run and every machine gets the same halves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from classifier.io import read_records
from classifier.training.datasets import (
    Example,
    dedup_key,
    load_coaid,
    load_constraint,
    load_covid19_rumor,
    load_fever,
    load_liar,
)
from classifier.training.evaluate import parse_label

DEFAULT_SETS = ("constraint_covid19", "liar", "coaid", "covid19_rumor", "fever_paper_dev")
NOT_USABLE = {
    "covidlies": "tweet IDs only; its 62 misconceptions are all false (one class): no AUC/F1",
}


@dataclass(frozen=True)
class EvalSet:
    name: str
    fit: list[Example]
    eval: list[Example]
    split: str  # how fit / eval were made, for the report
    dropped_overlap: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def official(self) -> bool:
        return self.split.startswith("official")


def in_fit_half(text: str) -> bool:
    return hashlib.sha256(dedup_key(text).encode("utf-8")).digest()[0] < 128


def _halves(name: str, rows: list[Example]) -> EvalSet:
    fit = [e for e in rows if in_fit_half(e.text)]
    ev = [e for e in rows if not in_fit_half(e.text)]
    return EvalSet(name, fit, ev, "no official split: halves by SHA-256 of the normalised text")


def _official(name: str, load: Callable[[Path, str], list[Example]], root: Path) -> EvalSet:
    return EvalSet(name, load(root, "train"), load(root, "dev"), "official train / dev")


BUILDERS: dict[str, Callable[[Path], EvalSet]] = {
    "constraint_covid19": lambda r: _official("constraint_covid19", load_constraint, r),
    "liar": lambda r: _official("liar", load_liar, r),
    "coaid": lambda r: _halves("coaid", load_coaid(r)),
    "covid19_rumor": lambda r: _halves("covid19_rumor", load_covid19_rumor(r)),
    "fever_paper_dev": lambda r: _halves("fever_paper_dev", load_fever(r)),
}


def subsample(rows: Sequence[Example], cap: int | None) -> list[Example]:
    """At most `cap` rows, the same ones on every run (lowest text hashes), labels kept mixed."""
    if cap is None or len(rows) <= cap:
        return list(rows)
    ranked = sorted(rows, key=lambda e: hashlib.sha256(e.text.encode("utf-8")).hexdigest())
    return ranked[:cap]


def deoverlap(sets: Iterable[EvalSet], cap: int | None = None) -> list[EvalSet]:
    """Drop from every evaluation part the texts found in any set's fit part (the shipped model
    and the references learn from those), then cap each part to `cap` rows (an official
    dev split is always evaluated whole)."""
    sets = list(sets)
    fit_keys = {dedup_key(e.text) for s in sets for e in s.fit}
    out: list[EvalSet] = []
    for s in sets:
        kept = [e for e in s.eval if dedup_key(e.text) not in fit_keys]
        out.append(
            EvalSet(
                s.name,
                subsample(s.fit, cap),
                kept if s.official else subsample(kept, cap),
                s.split,
                len(s.eval) - len(kept),
                s.notes,
            )
        )
    return out


def veracity_sets(root: Path, names: Sequence[str] = DEFAULT_SETS) -> list[EvalSet]:
    unknown = [n for n in names if n not in BUILDERS]
    if unknown:
        raise ValueError(f"unknown sets {unknown}; known: {sorted(BUILDERS)}")
    return [BUILDERS[n](root) for n in names]


def sets_from_file(path: Path) -> list[EvalSet]:
    """A labelled CSV/JSONL with `text`, `label`, `source` and optional `split` (`train`/`fit`
    rows are the fit part; anything else is evaluated)."""
    fit: dict[str, list[Example]] = {}
    ev: dict[str, list[Example]] = {}
    for rec in read_records(path):
        label = parse_label(rec.get("label", ""))
        text = str(rec.get("text") or "").strip()
        if label is None or not text:
            continue
        name = str(rec.get("source") or "input")
        part = fit if str(rec.get("split") or "").lower() in {"train", "fit"} else ev
        part.setdefault(name, []).append(Example(text, label, name))
    names = sorted(set(fit) | set(ev))
    return [EvalSet(n, fit.get(n, []), ev.get(n, []), f"from {path.name}") for n in names]
