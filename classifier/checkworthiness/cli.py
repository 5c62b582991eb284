"""`veracity checkworthiness train|evaluate|score` (also `python -m classifier.checkworthiness.cli`)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import Invalid
from core.user_files import output_file, writing

if TYPE_CHECKING:
    from classifier.checkworthiness.model import CheckWorthiness


def train_main(argv: Sequence[str]) -> int:
    from classifier.checkworthiness.encoder import MODELS_ROOT
    from classifier.checkworthiness.train import TrainConfig, train
    from classifier.training.datasets import default_data_dir

    p = argparse.ArgumentParser(prog="veracity checkworthiness train")
    p.add_argument("--data-dir", type=Path, default=default_data_dir())
    p.add_argument(
        "--model-dir", type=Path, default=None, help="default: models/checkworthiness-<date>"
    )
    p.add_argument("--folds", type=int, default=5)
    a = p.parse_args(argv)
    model_dir = a.model_dir or MODELS_ROOT / f"checkworthiness-{datetime.now(UTC):%Y.%m.%d}"
    metrics = train(TrainConfig(data_dir=a.data_dir, model_dir=model_dir, folds=a.folds))
    summary = {
        "dev_f1": {k: v["f1"] for k, v in metrics["dev"].items()},
        "cross_set_f1": {k: v["f1"] for k, v in metrics["cross_set"].items()},
        "ordinary_posts": {k: v["rate_at_or_above"] for k, v in metrics["ordinary_posts"].items()},
    }
    print(json.dumps(summary, indent=2))
    print(f"model directory: {model_dir}")
    return 0


def evaluate_main(argv: Sequence[str]) -> int:
    """Labelled posts (CSV/JSONL with text and label 0/1), else the ordinary-posts corpus."""
    from classifier.checkworthiness.evaluate import binary_metrics, ordinary_posts_report
    from classifier.io import read_records

    p = argparse.ArgumentParser(prog="veracity checkworthiness evaluate")
    p.add_argument("--input", type=Path, default=None, help="CSV/JSONL with text, label (0/1)")
    p.add_argument("--model-dir", type=Path, default=None)
    p.add_argument("--threshold", type=float, default=None, help="default: the model's own")
    a = p.parse_args(argv)
    records = [] if a.input is None else list(read_records(a.input))
    labels = np.array(_labels(a.input, records), dtype=np.int64)  # refused before the model
    model = _load(a.model_dir)
    if a.input is None:
        print(json.dumps(ordinary_posts_report(model), indent=2))
        return 0
    probs = np.array(model.score([str(r.get("text") or "") for r in records]), dtype=np.float64)
    threshold = model.threshold if a.threshold is None else a.threshold
    print(json.dumps(binary_metrics(probs, labels, threshold), indent=2))
    return 0


def _labels(path: Path | None, records: Sequence[dict[str, Any]]) -> list[int]:
    """Each row's label, 1 or 0; anything else is refused by its row (was a ValueError)."""
    labels = []
    for row, record in enumerate(records, 1):
        value = "" if record.get("label") is None else str(record["label"]).strip()
        if value not in ("0", "1"):
            raise Invalid(f"{path}: row {row}: label must be 1 or 0, not '{value}'")
        labels.append(int(value))
    return labels


def _load(model_dir: Path | None) -> CheckWorthiness:
    """The head in `model_dir` (else the shipped one); a folder without one is refused by name."""
    from classifier.checkworthiness.model import load_checkworthiness

    try:
        return load_checkworthiness(model_dir)
    except FileNotFoundError as exc:
        missing = f"{Path(exc.filename).name} not found" if exc.filename else str(exc)
        where = model_dir or "models/"
        raise Invalid(f"{where}: no check-worthiness model ({missing})") from exc


def score_main(argv: Sequence[str]) -> int:
    from classifier.io import read_posts, write_jsonl

    p = argparse.ArgumentParser(prog="veracity checkworthiness score")
    p.add_argument("--input", type=Path, required=True, help="CSV with header or JSONL; id, text")
    p.add_argument("--output", type=Path, required=True, help="JSONL: id, checkworthiness")
    p.add_argument("--model-dir", type=Path, default=None)
    a = p.parse_args(argv)
    posts = list(read_posts(a.input))
    output_file(a.output, make_folder=True, inputs=[a.input])  # before the model loads
    model = _load(a.model_dir)
    scores = model.score([text for _, text in posts])
    rows = (
        {"id": pid, "checkworthiness": round(s, 4), "model": model.version}
        for (pid, _), s in zip(posts, scores, strict=True)
    )
    with writing(a.output):
        n, _ = write_jsonl(a.output, rows)
    print(f"scored {n} posts with {model.version} -> {a.output}", file=sys.stderr)
    return 0


COMMANDS = {"train": train_main, "evaluate": evaluate_main, "score": score_main}


USAGE = """usage: veracity checkworthiness {train,evaluate,score} ...

The check-worthiness head: does a post make a checkable factual claim?

  train      fit the head on the check-worthiness sets (--data-dir), cross-validated
  evaluate   F1 on a labelled file (--input), else the ordinary-posts rates
  score      score posts (--input CSV/JSONL) into JSONL (--output)

`veracity checkworthiness COMMAND --help` lists a command's options."""


def main(argv: Sequence[str] | None = None) -> int:
    """One line on stderr and exit 2 for a person's mistake (an unknown command, a file that
    cannot be read), never a traceback."""
    from core.errors import DomainError

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if not args or args[0] not in COMMANDS:
        print(USAGE.splitlines()[0], file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return COMMANDS[args[0]](args[1:])
    except DomainError as exc:
        print(f"veracity: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
