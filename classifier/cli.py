"""`veracity train|score|evaluate`: argparse front-ends, also runnable as
`python -m classifier.cli train|score|evaluate ...`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from classifier.io import read_posts, write_jsonl
from core.errors import Invalid
from core.user_files import output_file, writing


def train_main(argv: Sequence[str] | None = None) -> int:
    from classifier.serving.loader import MODELS_ROOT
    from classifier.training.datasets import default_data_dir

    p = argparse.ArgumentParser(prog="veracity train", description="Fine-tune and package a model.")
    p.add_argument("--data-dir", type=Path, default=default_data_dir())
    p.add_argument("--datasets", default="constraint_covid19,liar")
    p.add_argument("--version", default=None, help="default: minilm-l6-<datasets>-<date>")
    p.add_argument("--model-dir", type=Path, default=None, help="default: models/<version>")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--liar-share", type=float, default=1 / 3, help="share of LIAR per epoch")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument(
        "--finetune-epochs",
        type=int,
        default=1,
        help="stage 2: further epochs on Constraint alone (in-domain), starting from stage 1",
    )
    p.add_argument("--finetune-lr", type=float, default=3e-5)
    p.add_argument(
        "--finetune-datasets", default="constraint_covid19", help="stage 2 training sets"
    )
    p.add_argument("--skip-train", action="store_true", help="only package an existing checkpoint")
    a = p.parse_args(argv)
    from classifier.training.finalize import finalize
    from classifier.training.train import TrainConfig, train

    names = tuple(a.datasets.split(","))
    short = "-".join(n.split("_")[0] for n in names)
    version = a.version or f"minilm-l6-{short}-{datetime.now(UTC):%Y.%m.%d}"
    cfg = TrainConfig(
        model_dir=a.model_dir or MODELS_ROOT / version,
        data_dir=a.data_dir,
        datasets=names,
        epoch_share={"liar": a.liar_share},
        epochs=a.epochs,
        batch_size=a.batch_size,
        lr=a.lr,
        seed=a.seed,
        threads=a.threads,
    )
    stages = [cfg]
    if a.finetune_epochs > 0:
        stages.append(
            replace(
                cfg,
                datasets=tuple(a.finetune_datasets.split(",")),
                epochs=a.finetune_epochs,
                lr=a.finetune_lr,
                init_from=cfg.ckpt_dir / "final",
                eval_datasets=names,
                stage="stage2",
            )
        )
    if not a.skip_train:
        for stage in stages:
            train(stage)
    metrics = finalize(stages[-1], version, stages=stages)
    dev = metrics["dev_int8_calibrated"]
    print(
        json.dumps(
            {
                k: {"accuracy": v["accuracy"], "weighted_f1": v["weighted_f1"], "ece": v["ece"]}
                for k, v in dev.items()
            },
            indent=2,
        )
    )
    print(f"model directory: {cfg.model_dir}")
    return 0


def score_main(argv: Sequence[str] | None = None) -> int:
    from classifier.scoring import score_records
    from classifier.serving.loader import MODEL_FILE, has_model, load_classifier

    p = argparse.ArgumentParser(prog="veracity score", description="Score posts (CSV or JSONL).")
    p.add_argument("--input", type=Path, required=True, help="CSV with header or JSONL; id, text")
    p.add_argument("--output", type=Path, required=True, help="JSONL, one object per post")
    p.add_argument("--model-dir", type=Path, default=None)
    p.add_argument("--explain", action="store_true", help="add reasons (phrases) per post")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument(
        "--checkworthiness-model",
        type=Path,
        default=None,
        help="check-worthiness head (default: the newest models/checkworthiness-*)",
    )
    a = p.parse_args(argv)
    posts = read_posts(a.input)  # refused now, before the model loads or the output is opened
    output_file(a.output, make_folder=True, inputs=[a.input])
    if a.model_dir is not None and not has_model(a.model_dir):
        raise Invalid(f"--model-dir {a.model_dir} has no model ({MODEL_FILE})")
    clf = load_classifier(a.model_dir, threads=a.threads)
    checker = _checkworthiness(a.checkworthiness_model)
    rows = _with_checkworthiness(
        posts, lambda chunk: score_records(clf, chunk, explain=a.explain), checker
    )
    with writing(a.output):
        n, errors = write_jsonl(a.output, rows)
    print(
        f"scored {n - errors} posts, refused {errors}, model {clf.model_version} -> {a.output}",
        file=sys.stderr,
    )
    return 0


CW_CHUNK = 256


def _checkworthiness(model_dir: Path | None) -> Callable[[list[str]], list[float]] | None:
    from classifier.checkworthiness import load_checkworthiness

    try:
        return load_checkworthiness(model_dir).score
    except FileNotFoundError as exc:
        print(f"no check-worthiness model ({exc}): the column is null", file=sys.stderr)
        return None


def _with_checkworthiness(
    records: Iterable[tuple[str, str]],
    score: Callable[[list[tuple[str, str]]], Iterable[dict[str, Any]]],
    checker: Callable[[list[str]], list[float]] | None,
) -> Iterator[dict[str, Any]]:
    """Each row gains `checkworthiness` (0-1, calibrated; null for a refused row or without a
    model), scored chunk by chunk beside the falsehood score."""
    it = iter(records)
    while chunk := list(islice(it, CW_CHUNK)):
        rows = list(score(chunk))
        values = checker([text for _, text in chunk]) if checker else [None] * len(chunk)
        for row, value in zip(rows, values, strict=True):
            row["checkworthiness"] = None if row.get("error") or value is None else value
            yield row


def evaluate_main(argv: Sequence[str] | None = None) -> int:
    """One labelled file (--input), or the cross-set evaluation: see classifier.training.evaluate.main."""
    from classifier.training.evaluate import main as evaluate_cli

    return evaluate_cli(list(sys.argv[1:] if argv is None else argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    commands = {"train": train_main, "score": score_main, "evaluate": evaluate_main}
    if not args or args[0] not in commands:
        print("usage: python -m classifier.cli {train,score,evaluate} ...", file=sys.stderr)
        return 2
    return commands[args[0]](args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
