"""The check-worthiness head: a `Net` (logistic regression or small MLP) plus Platt scaling.

Stored as plain arrays (`head.npz`) plus `config.json`, so scoring needs only numpy: no
scikit-learn at run time, and the artifact stays well under a megabyte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier.calibration import Calibration
from classifier.checkworthiness.net import HEAD_FILE, Floats, Net, load_head, save_head

CONFIG_FILE = "config.json"
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
        config = {
            "intercept": self.net.intercept,
            "hidden": 0 if self.net.b1 is None else int(self.net.b1.shape[0]),
            "calibration": self.calibration.head_config(),
            "encoder": self.encoder,
            "lexical": list(self.lexical),
            "threshold": self.threshold,
            **self.extra,
        }
        save_head(model_dir, self.net, CONFIG_FILE, config)

    @classmethod
    def load(cls, model_dir: Path) -> Head:
        net, config = load_head(model_dir, CONFIG_FILE)
        config.pop("hidden", None)
        return cls(
            net=net,
            calibration=Calibration.from_head_config(config.pop("calibration")),
            encoder=str(config.pop("encoder")),
            lexical=tuple(config.pop("lexical")),
            threshold=float(config.pop("threshold")),
            extra=config,
        )
