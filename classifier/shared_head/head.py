"""The falsehood head: a `Net` over the shared encoder's vectors, a calibration fitted across
sets, and band thresholds chosen on training data.

Stored as `head.npz` (plain arrays) + `head.json`, scored with numpy alone; the head records the
encoder it was trained on (name with a digest of `encoder.onnx`) and refuses any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifier.calibration import Calibration
from classifier.checkworthiness.model import EncoderMismatchError
from classifier.checkworthiness.net import Floats, Net, load_head, save_head
from classifier.serving.embeddings import Embedder, Vectors
from classifier.shared_head.data import variant_text
from classifier.thresholds import Thresholds

CONFIG_FILE = "head.json"


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
        config = {
            "intercept": self.net.intercept,
            "calibration": self.calibration.head_config(),
            "encoder": self.encoder,
            "thresholds": {
                "review": self.thresholds.review,
                "urgent": self.thresholds.urgent,
                "policy": self.thresholds.policy,
            },
            **self.extra,
        }
        save_head(model_dir, self.net, CONFIG_FILE, config)

    @classmethod
    def load(cls, model_dir: Path) -> FalsehoodHead:
        net, config = load_head(model_dir, CONFIG_FILE)
        th = config.pop("thresholds")
        return cls(
            net=net,
            calibration=Calibration.from_head_config(config.pop("calibration")),
            encoder=str(config.pop("encoder")),
            thresholds=Thresholds(float(th["review"]), float(th["urgent"]), str(th["policy"])),
            extra=config,
        )
