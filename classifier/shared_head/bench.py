"""What sharing the encoder saves, one post at a time, in one process.

Intake today embeds each post with the shared encoder (claim matching, check-worthiness) and
then runs the fine-tuned falsehood model (a second MiniLM pass). With the shared head the
falsehood score is a small head over the vector intake already has. Alternating per post:
  today:  encoder pass + fine-tuned model pass
  shared: encoder pass + falsehood head
`python -m classifier.shared_head.bench [--posts 100] [--head-dir DIR]` prints JSON.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from classifier.checkworthiness.encoder import load_encoder, newest_matcher_dir
from classifier.checkworthiness.features import prepare
from classifier.checkworthiness.net import Net
from classifier.shared_head.head import FalsehoodHead
from core.settings import REPO_ROOT


def _head(head_dir: Path | None, encoder: str) -> FalsehoodHead:
    if head_dir is not None:
        return FalsehoodHead.load(head_dir)
    from classifier.calibration import Calibration

    rng = np.random.default_rng(0)  # the head's cost does not depend on its weights
    net = Net(np.zeros(384), np.ones(384), rng.normal(size=384), 0.0)
    return FalsehoodHead(net, Calibration(), encoder)


def run(posts: int, head_dir: Path | None, threads: int) -> dict[str, Any]:
    from classifier.serving.loader import load_classifier

    texts = [
        str(json.loads(line)["text"])
        for line in (REPO_ROOT / "models" / "demo_posts.jsonl").read_text().splitlines()[:posts]
    ]
    encoder = load_encoder(newest_matcher_dir())
    model = load_classifier(threads=threads)
    head = _head(head_dir, encoder.name)
    encoder.embed([prepare(texts[0])])
    model.predict(texts[:1])
    today, shared, head_only = [], [], []
    for text in texts:
        t0 = time.perf_counter()
        vec = encoder.embed([prepare(text)])
        t1 = time.perf_counter()
        head.probability(vec)
        t2 = time.perf_counter()
        model.predict([text])
        t3 = time.perf_counter()
        shared.append(t2 - t0)
        today.append((t1 - t0) + (t3 - t2))
        head_only.append(t2 - t1)
    med = {k: float(np.median(v)) * 1000 for k, v in (("today", today), ("shared", shared))}
    return {
        "posts": len(texts),
        "threads": threads,
        "median_ms_per_post": {k: round(v, 2) for k, v in med.items()},
        "median_head_ms": round(float(np.median(head_only)) * 1000, 4),
        "speedup": round(med["today"] / med["shared"], 2),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m classifier.shared_head.bench", description=__doc__)
    p.add_argument("--posts", type=int, default=100)
    p.add_argument("--head-dir", type=Path, default=None)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args(argv)
    print(json.dumps(run(a.posts, a.head_dir, a.threads), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
