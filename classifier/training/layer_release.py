"""Package a calibration-layer release: a model directory that reuses another's weights.

    python -m classifier.training.layer_release --report EVAL_DIR --layer LAYER_DIR \
        --base models/minilm-l6-constraint-liar-2026.11.25 --version <new version>

EVAL_DIR is a `veracity evaluate` output (cross-set), LAYER_DIR what its `--write-layer` wrote.
The new directory gets metadata.json (naming `weights_dir`), ood.json + ood.npz, thresholds.json
(the base thresholds mapped through the layer's temperature, so an in-domain post lands in the
same band as before), metrics.json (the cross-set report and the decision), reliability.png and
MODEL_CARD.md; weights, tokenizer and calibration are read from the base directory.
"""

from __future__ import annotations

import argparse
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from classifier.io import read_json, write_json
from classifier.ood import LAYER_JSON, LAYER_NPZ, OodLayer
from classifier.serving.loader import MODELS_ROOT
from classifier.thresholds import Thresholds
from classifier.training.model_card import write_layer_card


def release(
    report_dir: Path, layer_dir: Path, base: Path, version: str, notes: dict[str, Any]
) -> Path:
    out = MODELS_ROOT / version
    out.mkdir(parents=True, exist_ok=True)
    for name in (LAYER_JSON, LAYER_NPZ):
        shutil.copy(layer_dir / name, out / name)
    shutil.copy(report_dir / "reliability_model_ood_loso_original.png", out / "reliability.png")
    layer = OodLayer.load(out)
    assert layer is not None
    old = Thresholds.load(base / "thresholds.json")
    review, urgent = layer.map_threshold(old.review), layer.map_threshold(old.urgent)
    Thresholds(
        review=round(review, 6),
        urgent=round(urgent, 6),
        policy=f"{old.policy}. Mapped through this release's temperature "
        f"(T = {layer.temperature}): a post inside the training cloud lands in the same band "
        f"as with {base.name}",
    ).dump(out / "thresholds.json")
    band = "ignore" if layer.prior < review else "review" if layer.prior < urgent else "urgent"
    consequence = {
        "ignore": "so it reaches review only through the other intake signals (claim match)",
        "review": "so a far post the base model scored low now lands in review (unsure: a "
        "person looks) unless check-worthiness or the routing policy holds it back",
        "urgent": "so every far post would be urgent: re-choose the prior",
    }[band]
    notes.setdefault(
        "band_note",
        f"in the `{band}` band (review ≥ {review:.3f}, urgent ≥ {urgent:.3f}), {consequence}",
    )
    base_meta = read_json(base / "metadata.json")
    meta = {
        "model_version": version,
        "weights_dir": os.path.relpath(base, out),
        "max_length": base_meta.get("max_length", 128),
        "labels": base_meta.get("labels"),
        "datasets": base_meta.get("datasets"),
        "backbone": base_meta.get("backbone"),
        "created": f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}",
        "text_normalisation": notes.get("text_normalisation", "none"),
        "training": f"no training: the weights of {base_meta['model_version']} plus an "
        "out-of-domain layer (classifier/ood.py)",
        "band_note": notes.get("band_note", ""),
        "opt_in": bool(notes.get("opt_in", True)),
    }
    write_json(out / "metadata.json", meta)
    report = read_json(report_dir / "report.json")
    params = read_json(out / LAYER_JSON)
    metrics = {
        **report,
        **notes,
        "layer": params,
        "thresholds": {"review": review, "urgent": urgent},
    }
    metrics.pop("plots", None)
    write_json(out / "metrics.json", metrics)
    write_layer_card(out, meta, metrics)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--report", type=Path, required=True)
    p.add_argument("--layer", type=Path, required=True)
    p.add_argument("--base", type=Path, required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--notes", type=Path, required=True, help="JSON: decision, verdict, ...")
    a = p.parse_args()
    notes = read_json(a.notes)
    print(release(a.report, a.layer, a.base.resolve(), a.version, notes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
