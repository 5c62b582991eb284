"""The four Chinese Weibo sets, read from a data directory (`../shared/datasets` by default,
`--data-dir` or `VERACITY_DATA_DIR` otherwise), as (text, label, set, split) rows.

label 1 = false / rumour / fake, 0 = real / non-rumour. split is `train` or `heldout`:

| set | train | held out |
|---|---|---|
| weibo21 (MDFEND) | derived/train.jsonl | derived/val.jsonl |
| ma2016 | weibo.train | weibo.dev |
| ced (no official split) | the rest | every 5th file by SHA-256 of its name |
| checked | baseline/data/new_train.txt | baseline/data/new_dev.txt |

Held-out texts are never trained or tuned on: a training row whose normalised text (Simplified,
letters and digits only, first 80 characters) equals any held-out row's of any set is dropped,
since Ma 2016 and CED are both drawn from Weibo's rumour-report platform.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from classifier.zh.text import to_simplified

SETS = ("weibo21", "ma2016", "ced", "checked")
TRAIN, HELDOUT = "train", "heldout"
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Row:
    """One labelled post: `label` 1 is false/rumour, `set` one of SETS, `split` TRAIN or HELDOUT."""

    text: str
    label: int
    set: str
    split: str


def dedupe_key(text: str) -> str:
    return _NON_WORD.sub("", to_simplified(text).lower())[:80]


def _jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _weibo21(root: Path) -> Iterator[Row]:
    for name, split in (("train", TRAIN), ("val", HELDOUT)):
        for raw in _jsonl(root / "weibo21_mdfend" / "derived" / f"{name}.jsonl"):
            yield Row(str(raw["content"]), int(str(raw["label"])), "weibo21", split)


def _ma2016(root: Path) -> Iterator[Row]:
    labels = {"false": 1, "non-rumor": 0}
    for name, split in (("weibo.train", TRAIN), ("weibo.dev", HELDOUT)):
        with (root / "weibo_ma2016" / name).open(encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 3 and parts[2] in labels:
                    yield Row(parts[1], labels[parts[2]], "ma2016", split)


def ced_split(file_name: str) -> str:
    return HELDOUT if hashlib.sha256(file_name.encode()).digest()[0] % 5 == 0 else TRAIN


def _ced(root: Path) -> Iterator[Row]:
    path = root / "ced_weibo_rumor" / "derived" / "ced_original_microblog_labels.jsonl"
    for raw in _jsonl(path):
        label = {"rumor": 1, "non-rumor": 0}.get(str(raw["label"]))
        if label is not None and str(raw.get("text") or "").strip():
            yield Row(str(raw["text"]), label, "ced", ced_split(str(raw["file"])))


def _checked(root: Path) -> Iterator[Row]:
    labels = {"fake": 1, "real": 0}
    for name, split in (("new_train.txt", TRAIN), ("new_dev.txt", HELDOUT)):
        with (root / "checked_covid_weibo" / "baseline" / "data" / name).open(
            encoding="utf-8"
        ) as fh:
            for line in fh:
                text, _, label = line.rstrip("\n").rpartition("\t")
                if label in labels and text.strip():
                    yield Row(text, labels[label], "checked", split)


_READERS = {"weibo21": _weibo21, "ma2016": _ma2016, "ced": _ced, "checked": _checked}


def load_rows(data_dir: Path, sets: tuple[str, ...] = SETS) -> list[Row]:
    """Every row of `sets`, training rows that repeat a held-out text removed."""
    rows = [row for name in sets for row in _READERS[name](data_dir)]
    held = {dedupe_key(r.text) for r in rows if r.split == HELDOUT}
    return [r for r in rows if r.split == HELDOUT or dedupe_key(r.text) not in held]
