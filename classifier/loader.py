"""The one entry point the rest of the product uses to get a classifier."""

from __future__ import annotations

import os
from pathlib import Path

from classifier.interface import Classifier
from classifier.reference import ReferenceClassifier

MODELS_ROOT = Path(__file__).resolve().parent.parent / "models"
MODEL_FILE = "model.int8.onnx"


def find_model_dir(root: Path = MODELS_ROOT) -> Path | None:
    """Newest (by name, which ends in a date) model directory that has the int8 artifact."""
    if not root.is_dir():
        return None
    dirs = sorted(p for p in root.iterdir() if (p / MODEL_FILE).is_file())
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
    if not (Path(chosen) / MODEL_FILE).is_file():
        raise FileNotFoundError(f"{chosen} has no {MODEL_FILE}")
    from classifier.serving import OnnxClassifier

    return OnnxClassifier(Path(chosen), threads=threads)
