"""The falsehood head: a `Net` over the shared encoder's vectors, a calibration fitted across
sets, and band thresholds chosen on training data.

Stored as `head.npz` (plain arrays) + `head.json`, scored with numpy alone; the head records the
encoder it was trained on (name with a digest of `encoder.onnx`) and refuses any other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifier.calibration import Calibration
from classifier.checkworthiness.model import EncoderMismatchError
from classifier.checkworthiness.net import Floats, Net
from classifier.serving.embeddings import Embedder, Vectors
from classifier.shared_head.data import variant_text
from classifier.thresholds import Thresholds

HEAD_FILE, CONFIG_FILE = "head.npz", "head.json"


@dataclass(frozen=True)
class FalsehoodHead:
    net: Net
    calibration: Calibration
    encoder: str
    thresholds: Thresholds = field(default_factory=Thresholds.default)
    extra: dict[str, Any] = field(default_factory=dict)

    def probability(self, vectors: Vectors) -> Floats:
        """Calibrated probability that each post is false, from its shared-encoder vector."""
        return self.calibration.apply(self.net.margin(vectors))

    def score_texts(self, texts: Sequence[str], embedder: Embedder) -> Floats:
        """Embed as intake does (`prepare`) and score; `embedder` must be the head's encoder."""
        if embedder.name != self.encoder:
            raise EncoderMismatchError(f"head expects {self.encoder!r}, got {embedder.name!r}")
        prepared = [variant_text(t, "original") for t in texts]
        return self.probability(embedder.embed(prepared))

    def save(self, model_dir: Path) -> None:
        model_dir.mkdir(parents=True, exist_ok=True)
        self.net.save_arrays(model_dir / HEAD_FILE)
        cal = self.calibration
        config = {
            "intercept": self.net.intercept,
            "calibration": {"kind": cal.kind, "a": cal.a, "b": cal.b},
            "encoder": self.encoder,
            "thresholds": {
                "review": self.thresholds.review,
                "urgent": self.thresholds.urgent,
                "policy": self.thresholds.policy,
            },
            **self.extra,
        }
        text = json.dumps(config, indent=2) + "\n"
        (model_dir / CONFIG_FILE).write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, model_dir: Path) -> FalsehoodHead:
        config = json.loads((model_dir / CONFIG_FILE).read_text(encoding="utf-8"))
        net = Net.load_arrays(model_dir / HEAD_FILE, float(config.pop("intercept")))
        cal = config.pop("calibration")
        th = config.pop("thresholds")
        return cls(
            net=net,
            calibration=Calibration(a=float(cal["a"]), b=float(cal["b"]), kind=str(cal["kind"])),
            encoder=str(config.pop("encoder")),
            thresholds=Thresholds(float(th["review"]), float(th["urgent"]), str(th["policy"])),
            extra=config,
        )
