"""Check-worthiness training data: three English sets mapped to one binary label.

Label mappings (the model card repeats them):
- claimbuster: `Verdict` 1 (CFS, check-worthy factual sentence) -> 1; 0 (UFS) and -1 (NFS) -> 0.
  `crowdsourced.csv` is train, the expert-labelled `groundtruth.csv` is dev.
- checkthat2021_task1a_en: the last column (`check_worthiness` in train, `claim_worthiness` in
  dev) 1/0; the official train and dev files.
- checkthat2022_task1_en: subtask 1A `class_label` 1/0 from `CT22_english_1A_checkworthy.zip`;
  train and dev (the public `dev_test` file is a third, extra evaluation split).

Train rows are de-duplicated and stripped of every text that appears in any evaluation split
(CheckThat 2021 and 2022 share 262 tweets), so no dev figure is measured on a training text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from classifier.post_text import duplicate_key
from classifier.training.datasets import dataset_file

SETS = ("claimbuster", "checkthat2021_task1a_en", "checkthat2022_task1_en")
EVAL_SPLITS = ("dev", "dev_test")


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # 1 = states a factual claim worth checking
    source: str  # dataset folder name
    split: str  # train, dev or dev_test


def load_claimbuster(root: Path) -> list[Example]:
    base = ("claimbuster", "data", "ClaimBuster", "datasets")
    out: list[Example] = []
    for name, split in (("crowdsourced.csv", "train"), ("groundtruth.csv", "dev")):
        with dataset_file(root, *base, name).open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                text, verdict = row["Text"].strip(), row["Verdict"].strip()
                if text and verdict in {"-1", "0", "1"}:
                    out.append(Example(text, int(verdict == "1"), "claimbuster", split))
    return out


def _tsv_rows(fh: Iterable[str], source: str, split: str, text_col: int) -> list[Example]:
    rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    return [
        Example(r[text_col].strip(), int(r[-1].strip() == "1"), source, split)
        for r in rows
        if len(r) > text_col and r[text_col].strip() and r[-1].strip() in {"0", "1"}
    ]


def load_checkthat2021(root: Path) -> list[Example]:
    out: list[Example] = []
    for split in ("train", "dev"):
        path = dataset_file(root, "checkthat2021_task1a_en", f"dataset_{split}_v1_english.tsv")
        with path.open(encoding="utf-8", newline="") as fh:
            out.extend(_tsv_rows(fh, "checkthat2021_task1a_en", split, 3))
    return out


def load_checkthat2022(root: Path) -> list[Example]:
    path = dataset_file(root, "checkthat2022_task1_en", "CT22_english_1A_checkworthy.zip")
    out: list[Example] = []
    with zipfile.ZipFile(path) as zf:
        for split in ("train", "dev", "dev_test"):
            with zf.open(f"CT22_english_1A_checkworthy_{split}.tsv") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                out.extend(_tsv_rows(text, "checkthat2022_task1_en", split, 3))
    return out


LOADERS: dict[str, Callable[[Path], list[Example]]] = {
    "claimbuster": load_claimbuster,
    "checkthat2021_task1a_en": load_checkthat2021,
    "checkthat2022_task1_en": load_checkthat2022,
}


def load_all(root: Path, names: Iterable[str] = SETS) -> list[Example]:
    """Every split of the named sets; train de-duplicated and free of evaluation texts."""
    rows = [ex for name in names for ex in LOADERS[name](root)]
    held = {duplicate_key(ex.text) for ex in rows if ex.split != "train"}
    seen: set[str] = set()
    kept: list[Example] = []
    for ex in rows:
        key = duplicate_key(ex.text)
        if ex.split == "train":
            if key in held or key in seen:
                continue
            seen.add(key)
        kept.append(ex)
    return kept
