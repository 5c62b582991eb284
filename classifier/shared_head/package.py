"""`train`: the head fitted on every set's fit part, written as a model directory."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from classifier.io import write_json
from classifier.shared_head.evaluation import fit_on
from classifier.shared_head.store import VectorStore
from classifier.training.evalsets import EvalSet


def package(
    sets: Sequence[EvalSet], store: VectorStore, model_dir: Path, *, label_balanced: bool = True
) -> None:
    head, selection = fit_on([s for s in sets if s.fit], store, label_balanced=label_balanced)
    meta = {
        "version": model_dir.name,
        "kind": "falsehood head over the shared intake encoder",
        "opt_in": True,
        "input": "classifier.checkworthiness.prepare(text) (the claim matcher's post cleaning)",
        "training": {
            "sets": {s.name: {"split": s.split, "fit_posts": len(s.fit)} for s in sets},
            "augmentation": "every fit post also in its de-styled form (classifier.destyle)",
            "weighting": selection["weighting"],
            "selection": selection,
        },
    }
    head = type(head)(head.net, head.calibration, head.encoder, head.thresholds, meta)
    head.save(model_dir)
    write_json(model_dir / "metadata.json", meta)
