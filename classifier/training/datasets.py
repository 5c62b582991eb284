"""Labelled data for training: loaders that map each source to one binary label (1 = false).

Label mappings (documented in the model card):
- constraint_covid19: `fake` -> 1, `real` -> 0.
- liar: `pants-fire`, `false`, `barely-true` -> 1; `half-true`, `mostly-true`, `true` -> 0.
  PolitiFact's own scale puts "barely true" as "contains an element of truth but ignores
  critical facts that would give a different impression", i.e. misleading, which is what the
  triage queue must surface; "half-true" and above are at least partly accurate and should not
  be pushed to takedown review. This is the split used by most binary LIAR baselines.
- covid19_rumor: `F` -> 1, `T` -> 0, `U` (unverified) dropped. Used only as an external check
  and for the demo sample, never for training or tuning.
- coaid: the `title` of every `Claim*`/`News*` file of the four snapshots, `Fake` -> 1,
  `Real` -> 0 (from the file name); a title seen twice is kept once (first label).
- fever_paper_dev: `REFUTES` -> 1, `SUPPORTS` -> 0, `NOT ENOUGH INFO` dropped.
- covidlies is not a veracity set here: its tweets are IDs only, and the 62 misconceptions
  are all false (one class), so no AUC or F1 can be computed on it.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.errors import Invalid
from core.messages import Msg
from core.settings import REPO_ROOT

LIAR_FALSE = frozenset({"pants-fire", "false", "barely-true"})
LIAR_TRUE = frozenset({"half-true", "mostly-true", "true"})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # 1 = false / misleading, 0 = true
    source: str  # dataset name, so metrics can be reported per dataset


def default_data_dir() -> Path:
    env = os.environ.get("VERACITY_DATA_DIR")
    return Path(env) if env else (REPO_ROOT.parent / "shared" / "datasets")


def dataset_file(root: Path, *parts: str) -> Path:
    """`root`/`parts`, refused as `Invalid` naming the datasets folder when it or the file is
    not there (rather than a FileNotFoundError deep inside a loader)."""
    hint = "point --data-dir (or VERACITY_DATA_DIR) at the shared datasets"
    if not root.is_dir():
        raise Invalid(
            Msg("the datasets folder {root} does not exist; {hint}", root=str(root), hint=hint)
        )
    file = root.joinpath(*parts)
    if not file.is_file():
        raise Invalid(
            Msg(
                "the datasets folder {root} has no {name}; {hint}",
                root=str(root),
                name="/".join(parts),
                hint=hint,
            )
        )
    return file


def dedup_key(text: str) -> str:
    return _SPACE.sub(" ", text.strip().lower())


def load_constraint(root: Path, split: str) -> list[Example]:
    name = {"train": "Constraint_Train.csv", "dev": "Constraint_Val.csv"}[split]
    with dataset_file(root, "constraint_covid19", name).open(
        encoding="utf-8-sig", newline=""
    ) as fh:
        rows = list(csv.DictReader(fh))
    return [
        Example(r["tweet"], 1 if r["label"].strip() == "fake" else 0, "constraint_covid19")
        for r in rows
        if r["tweet"].strip() and r["label"].strip() in {"fake", "real"}
    ]


def load_liar(root: Path, split: str) -> list[Example]:
    name = {"train": "train.tsv", "dev": "valid.tsv"}[split]
    out: list[Example] = []
    with dataset_file(root, "liar", name).open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) < 3 or not row[2].strip():
                continue
            label = row[1].strip()
            if label in LIAR_FALSE:
                out.append(Example(row[2], 1, "liar"))
            elif label in LIAR_TRUE:
                out.append(Example(row[2], 0, "liar"))
    return out


def load_covid19_rumor(root: Path) -> list[Example]:
    """All labelled T/F rumours (news + twitter); `U` dropped. No split: external check only."""
    out: list[Example] = []
    for label, text in iter_rumor_rows(root):
        if label in {"T", "F"}:
            out.append(Example(text, 1 if label == "F" else 0, "covid19_rumor"))
    return out


def iter_rumor_rows(root: Path) -> Iterable[tuple[str, str]]:
    """(label, text) rows of covid19_rumor news.csv then twitter.csv."""
    with dataset_file(root, "covid19_rumor", "news.csv").open(
        encoding="utf-8-sig", newline=""
    ) as fh:
        for row in csv.reader(fh):
            if len(row) >= 3 and row[2].strip():
                yield row[1].strip(), row[2]
    with dataset_file(root, "covid19_rumor", "twitter.csv").open(
        encoding="utf-8-sig", newline=""
    ) as fh:
        for rec in csv.DictReader(fh):
            if (rec.get("content") or "").strip():
                yield (rec.get("label") or "").strip(), rec["content"]


def load_coaid(root: Path) -> list[Example]:
    """CoAID titles (claims and news) from every snapshot, de-duplicated. No official split."""
    out: list[Example] = []
    seen: set[str] = set()
    for path in sorted((root / "coaid").glob("*/*COVID-19.csv")):
        label = 1 if "Fake" in path.name else 0
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for rec in csv.DictReader(fh):
                text = (rec.get("title") or "").strip().strip('"').strip()
                key = dedup_key(text)
                if text and key not in seen:
                    seen.add(key)
                    out.append(Example(text, label, "coaid"))
    return out


def load_fever(root: Path) -> list[Example]:
    """FEVER paper_dev claims: REFUTES -> 1, SUPPORTS -> 0, NOT ENOUGH INFO dropped."""
    labels = {"REFUTES": 1, "SUPPORTS": 0}
    out: list[Example] = []
    with dataset_file(root, "fever_paper_dev", "data", "paper_dev.jsonl").open(
        encoding="utf-8"
    ) as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("label") in labels and str(rec.get("claim") or "").strip():
                out.append(Example(rec["claim"], labels[rec["label"]], "fever_paper_dev"))
    return out


LOADERS = {"constraint_covid19": load_constraint, "liar": load_liar}


def load_splits(
    root: Path, names: Iterable[str], exclude: Iterable[str] = ()
) -> tuple[list[Example], list[Example]]:
    """Train and dev for the named sets; train is de-duplicated and stripped of dev texts
    (of these sets and of the `exclude` sets' dev splits)."""
    names = list(names)
    train: list[Example] = []
    dev: list[Example] = []
    for name in names:
        train.extend(LOADERS[name](root, "train"))
    for name in dict.fromkeys([*names, *exclude]):
        dev.extend(LOADERS[name](root, "dev"))
    dev_keys = {dedup_key(e.text) for e in dev}
    seen: set[str] = set()
    kept: list[Example] = []
    for ex in train:
        key = dedup_key(ex.text)
        if key in dev_keys or key in seen:
            continue
        seen.add(key)
        kept.append(ex)
    return kept, dev
