"""Commands: `embed` (fill the vector cache), `evaluate` (LOSO and in-domain: report.json,
report.html, reliability PNGs), `train` (fit on every set's fit part, write a model directory).

  python -m classifier.shared_head evaluate --data-dir ../shared/datasets --max-per-set 2000 \
      --cache-dir CACHE --output-dir OUT
  python -m classifier.shared_head train --data-dir ../shared/datasets --max-per-set 2000 \
      --cache-dir CACHE --model-dir models/falsehood-head-minilm-shared-YYYY.MM.DD
"""

from __future__ import annotations

import argparse
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from classifier.serving.embeddings import Embedder


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m classifier.shared_head", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("embed", "evaluate", "train"):
        c = sub.add_parser(name)
        c.add_argument("--data-dir", type=Path, default=None, help="default: ../shared/datasets")
        c.add_argument("--sets", default=None, help="comma-separated; default: the suite's five")
        c.add_argument("--max-per-set", type=int, default=2000)
        c.add_argument("--cache-dir", type=Path, default=None, help="encoder vectors cached here")
        c.add_argument("--matcher-dir", type=Path, default=None, help="default: newest matcher")
        if name == "evaluate":
            c.add_argument("--output-dir", type=Path, default=None)
            c.add_argument("--no-tfidf", action="store_true", help="skip the TF-IDF reference")
        if name != "embed":
            c.add_argument(
                "--weighting",
                choices=("set_label", "set"),
                default="set_label",
                help="set_label: each set and each set's labels weigh the same; set: sets only",
            )
        if name == "train":
            c.add_argument("--model-dir", type=Path, required=True)
    return p


def main(argv: list[str] | None = None) -> int:
    from classifier.shared_head.sets import all_texts, load_sets
    from classifier.shared_head.store import VectorStore
    from classifier.training.datasets import default_data_dir

    a = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    sets = load_sets(a.data_dir or default_data_dir(), a.max_per_set, a.sets)
    store = VectorStore(_encoder(a.matcher_dir), a.cache_dir)
    if a.command == "embed":
        store.vectors(all_texts(sets), "all texts")
    elif a.command == "evaluate":
        from classifier.shared_head.evaluation import head_rows
        from classifier.shared_head.report import SHIPPED_DATASETS, tfidf_rows, write_report

        in_domain = set(SHIPPED_DATASETS)
        rows, details = head_rows(sets, store, in_domain, label_balanced=a.weighting != "set")
        if not a.no_tfidf:
            rows += tfidf_rows(sets, in_domain)
        out = a.output_dir or Path("artifacts") / f"shared-head-{datetime.now(UTC):%Y%m%dT%H%M%S}"
        report = write_report(
            sets, rows, details, out, encoder=store.embedder.name, in_domain=in_domain
        )
        print(json.dumps(report["means"], indent=2))
        print(f"report: {out / 'report.html'}")
    else:
        from classifier.shared_head.package import package

        package(sets, store, a.model_dir, label_balanced=a.weighting != "set")
        print(f"model: {a.model_dir}")
    return 0


def _encoder(matcher_dir: Path | None) -> Embedder:
    from classifier.checkworthiness.encoder import load_encoder, newest_matcher_dir

    return load_encoder(matcher_dir or newest_matcher_dir())
