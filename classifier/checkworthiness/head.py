"""The check-worthiness head: a `Net` (logistic regression or small MLP) plus Platt scaling.

Stored as plain arrays (`head.npz`) plus `config.json`, so scoring needs only numpy: no
scikit-learn at run time, and the artifact stays well under a megabyte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier.calibration import Calibration
from classifier.checkworthiness.net import Floats, Net

HEAD_FILE, CONFIG_FILE = "head.npz", "config.json"
__all__ = ["CONFIG_FILE", "HEAD_FILE", "Floats", "Head"]


@dataclass(frozen=True)
class Head:
    net: Net
    calibration: Calibration
    encoder: str  # the encoder name the head was trained on (see `encoder.encoder_name`)
    lexical: tuple[str, ...]  # names of the lexical columns after the embedding
    threshold: float  # the candidate operating point chosen on training data (out of fold)
    extra: dict[str, Any] = field(default_factory=dict)

    def margin(self, x: npt.NDArray[np.floating]) -> Floats:
        return self.net.margin(x)

    def probability(self, x: npt.NDArray[np.floating]) -> Floats:
        """Calibrated probability that the text states a claim worth checking."""
        return self.calibration.apply(self.net.margin(x))

    def save(self, model_dir: Path) -> None:
        model_dir.mkdir(parents=True, exist_ok=True)
        self.net.save_arrays(model_dir / HEAD_FILE)
        cal = self.calibration
        config = {
            "intercept": self.net.intercept,
            "hidden": 0 if self.net.b1 is None else int(self.net.b1.shape[0]),
            "calibration": {"kind": cal.kind, "a": cal.a, "b": cal.b},
            "encoder": self.encoder,
            "lexical": list(self.lexical),
            "threshold": self.threshold,
            **self.extra,
        }
        text = json.dumps(config, indent=2) + "\n"
        (model_dir / CONFIG_FILE).write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, model_dir: Path) -> Head:
        config = json.loads((model_dir / CONFIG_FILE).read_text(encoding="utf-8"))
        net = Net.load_arrays(model_dir / HEAD_FILE, float(config.pop("intercept")))
        config.pop("hidden", None)
        cal = config.pop("calibration")
        return cls(
            net=net,
            calibration=Calibration(a=float(cal["a"]), b=float(cal["b"]), kind=str(cal["kind"])),
            encoder=str(config.pop("encoder")),
            lexical=tuple(config.pop("lexical")),
            threshold=float(config.pop("threshold")),
            extra=config,
        )
