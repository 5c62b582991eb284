"""The check-worthiness head: standardised features -> logistic regression -> Platt scaling.

Stored as plain arrays (`head.npz`) plus `config.json`, so scoring needs only numpy: no
scikit-learn at run time, and the artifact is a few kilobytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier.calibration import Calibration

Floats = npt.NDArray[np.float64]
HEAD_FILE, CONFIG_FILE = "head.npz", "config.json"


@dataclass(frozen=True)
class Head:
    mean: Floats
    scale: Floats
    coef: Floats
    intercept: float
    calibration: Calibration
    encoder: str  # the encoder name the head was trained on (see `encoder.encoder_name`)
    feature_names: tuple[str, ...]
    threshold: float  # the candidate operating point chosen on training data (out of fold)
    extra: dict[str, Any] = field(default_factory=dict)

    def margin(self, x: npt.NDArray[np.floating]) -> Floats:
        """Uncalibrated log-odds of the logistic regression."""
        if x.ndim != 2 or x.shape[1] != self.coef.shape[0]:
            raise ValueError(f"expected (n, {self.coef.shape[0]}) features, got {x.shape}")
        z = ((np.asarray(x, dtype=np.float64) - self.mean) / self.scale) @ self.coef
        return np.asarray(z + self.intercept, dtype=np.float64)

    def probability(self, x: npt.NDArray[np.floating]) -> Floats:
        """Calibrated probability that the text states a claim worth checking."""
        return self.calibration.apply(self.margin(x))

    def save(self, model_dir: Path) -> None:
        model_dir.mkdir(parents=True, exist_ok=True)
        np.savez(
            model_dir / HEAD_FILE,
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            coef=self.coef.astype(np.float32),
        )
        config = {
            "intercept": self.intercept,
            "calibration": {
                "kind": self.calibration.kind,
                "a": self.calibration.a,
                "b": self.calibration.b,
            },
            "encoder": self.encoder,
            "feature_names": list(self.feature_names),
            "threshold": self.threshold,
            **self.extra,
        }
        (model_dir / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, model_dir: Path) -> Head:
        config = json.loads((model_dir / CONFIG_FILE).read_text(encoding="utf-8"))
        with np.load(model_dir / HEAD_FILE) as arrays:
            mean, scale, coef = (arrays[k].astype(np.float64) for k in ("mean", "scale", "coef"))
        cal = config.pop("calibration")
        return cls(
            mean=mean,
            scale=scale,
            coef=coef,
            intercept=float(config.pop("intercept")),
            calibration=Calibration(a=float(cal["a"]), b=float(cal["b"]), kind=str(cal["kind"])),
            encoder=str(config.pop("encoder")),
            feature_names=tuple(config.pop("feature_names")),
            threshold=float(config.pop("threshold")),
            extra=config,
        )
