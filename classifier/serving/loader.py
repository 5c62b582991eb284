"""The one entry point the rest of the product uses to get a classifier."""

from __future__ import annotations

import os
from pathlib import Path

from classifier.interface import Classifier
from classifier.io import read_json
from classifier.reference import ReferenceClassifier

MODELS_ROOT = Path(__file__).resolve().parents[2] / "models"
MODEL_FILE = "model.int8.onnx"


def weights_dir(model_dir: Path) -> Path:
    """Where the weights and tokenizer live: the directory itself, or the one its metadata
    names as `weights_dir` (relative to it), so a calibration-only release (same weights, new
    layers) does not copy 20+ MB of ONNX."""
    meta = model_dir / "metadata.json"
    if not (model_dir / MODEL_FILE).is_file() and meta.is_file():
        ref = read_json(meta).get("weights_dir")
        if ref:
            return (model_dir / str(ref)).resolve()
    return model_dir


def artifact(model_dir: Path, name: str) -> Path:
    """`name` from the model directory if it has one, else from its weights directory."""
    own = model_dir / name
    return own if own.is_file() else weights_dir(model_dir) / name


def has_model(model_dir: Path) -> bool:
    return artifact(model_dir, MODEL_FILE).is_file()


def is_opt_in(model_dir: Path) -> bool:
    """metadata.json `"opt_in": true`: used only when named (MODEL_DIR / --model-dir), never
    picked as the default, e.g. a release whose score scale the routing policy was not tuned on."""
    meta = model_dir / "metadata.json"
    return meta.is_file() and bool(read_json(meta).get("opt_in"))


def find_model_dir(root: Path = MODELS_ROOT) -> Path | None:
    """Newest (by name, which ends in a date) model directory whose int8 artifact exists
    (its own or the one in its `weights_dir`), skipping opt-in releases."""
    if not root.is_dir():
        return None
    dirs = sorted(p for p in root.iterdir() if p.is_dir() and has_model(p) and not is_opt_in(p))
    return dirs[-1] if dirs else None


def load_classifier(model_dir: Path | None = None, *, threads: int | None = None) -> Classifier:
    """The real ONNX model when a model directory is given or found, else the reference scorer.

    `VERACITY_MODEL_DIR` overrides the search; `VERACITY_MODEL_DIR=reference` forces the
    reference scorer (for tests of other modules).
    """
    env = os.environ.get("VERACITY_MODEL_DIR")
    if model_dir is None and env == "reference":
        return ReferenceClassifier()
    chosen = model_dir or (Path(env) if env else find_model_dir())
    if chosen is None:
        return ReferenceClassifier()
    if not has_model(Path(chosen)):
        raise FileNotFoundError(f"{chosen} has no {MODEL_FILE}")
    from classifier.serving.onnx_classifier import OnnxClassifier

    return OnnxClassifier(Path(chosen), threads=threads)
