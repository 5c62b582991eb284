"""A shipped matcher with its encoder quantized to int8, made without the training checkpoint.

`python -m claims.matching.requantize --source models/claim-matcher-A --out models/claim-matcher-B`
copies the model directory, widens the fp16-stored encoder weights back to fp32 (`full_weights`,
lossless), and quantizes the encoder with the classifier's recipe (`quantize_int8`: dynamic,
per channel, every MatMul, attention and embedding weight). Intake embeds every post with this
encoder, so its compute is most of the claim-matching signal's cost (issue 15).

Fusion weights and match thresholds are copied unchanged; `metrics.json` gains
`int8_requantized`: the source, and how closely the two encoders agree on the shipped demo posts.
Whether the ranking holds is measured separately (`veracity claims evaluate`, MODEL_CARD.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from claims.matching.model import CONFIG_FILE
from classifier.checkworthiness.encoder import load_encoder
from classifier.io import read_json, read_records, write_json
from classifier.serving.embeddings import ENCODER_FILE
from classifier.training.export import full_weights, quantize_int8
from core.settings import REPO_ROOT

DEMO_POSTS = REPO_ROOT / "models" / "demo_posts.jsonl"


def requantize(source: Path, out: Path, texts: Sequence[str]) -> dict[str, object]:
    """Write the int8 copy of `source` to `out` (which must not exist); return the parity."""
    out.mkdir(parents=True)
    for item in source.iterdir():
        if item.is_file() and item.name != ENCODER_FILE:
            shutil.copy2(item, out / item.name)
    with tempfile.TemporaryDirectory() as work:
        wide = full_weights(source / ENCODER_FILE, Path(work) / "encoder.fp32.onnx")
        quantize_int8(wide, out / ENCODER_FILE)
    config = read_json(out / CONFIG_FILE)
    write_json(out / CONFIG_FILE, {**config, "version": out.name})
    parity: dict[str, object] = {"source": source.name, **encoder_agreement(source, out, texts)}
    metrics_path = out / "metrics.json"
    metrics = read_json(metrics_path) if metrics_path.is_file() else {}
    write_json(metrics_path, {**metrics, "int8_requantized": parity})
    return parity


def encoder_agreement(a: Path, b: Path, texts: Sequence[str]) -> dict[str, float | int]:
    """Cosine between the two model directories' embeddings of each text (unit vectors)."""
    first, second = (load_encoder(d).embed(texts) for d in (a, b))
    cosine = (first * second).sum(axis=1)
    return {
        "texts": len(texts),
        "mean_cosine": round(float(cosine.mean()), 5),
        "min_cosine": round(float(cosine.min()), 5),
    }


def demo_texts(limit: int = 200) -> list[str]:
    return [str(row["text"]) for row in read_records(DEMO_POSTS)][:limit]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m claims.matching.requantize")
    parser.add_argument("--source", type=Path, required=True, help="a models/claim-matcher-* dir")
    parser.add_argument("--out", type=Path, required=True, help="the new model directory")
    args = parser.parse_args(argv)
    if args.out.exists():
        raise SystemExit(f"{args.out} exists; name a new model directory")
    print(json.dumps(requantize(args.source, args.out, demo_texts())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
