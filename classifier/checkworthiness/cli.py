"""`veracity checkworthiness train|evaluate|score` (also `python -m classifier.checkworthiness.cli`)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np


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
    from classifier.checkworthiness.model import load_checkworthiness
    from classifier.io import read_records

    p = argparse.ArgumentParser(prog="veracity checkworthiness evaluate")
    p.add_argument("--input", type=Path, default=None, help="CSV/JSONL with text, label (0/1)")
    p.add_argument("--model-dir", type=Path, default=None)
    p.add_argument("--threshold", type=float, default=None, help="default: the model's own")
    a = p.parse_args(argv)
    model = load_checkworthiness(a.model_dir)
    if a.input is None:
        print(json.dumps(ordinary_posts_report(model), indent=2))
        return 0
    records = list(read_records(a.input))
    probs = np.array(model.score([str(r["text"] or "") for r in records]), dtype=np.float64)
    labels = np.array([int(r["label"]) for r in records], dtype=np.int64)
    threshold = model.threshold if a.threshold is None else a.threshold
    print(json.dumps(binary_metrics(probs, labels, threshold), indent=2))
    return 0


def score_main(argv: Sequence[str]) -> int:
    from classifier.checkworthiness.model import load_checkworthiness
    from classifier.io import read_posts, write_jsonl

    p = argparse.ArgumentParser(prog="veracity checkworthiness score")
    p.add_argument("--input", type=Path, required=True, help="CSV with header or JSONL; id, text")
    p.add_argument("--output", type=Path, required=True, help="JSONL: id, checkworthiness")
    p.add_argument("--model-dir", type=Path, default=None)
    a = p.parse_args(argv)
    model = load_checkworthiness(a.model_dir)
    posts = list(read_posts(a.input))
    scores = model.score([text for _, text in posts])
    rows = (
        {"id": pid, "checkworthiness": round(s, 4), "model": model.version}
        for (pid, _), s in zip(posts, scores, strict=True)
    )
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
