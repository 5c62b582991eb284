"""Out-of-domain layer: pull a score toward the base rate when the post is far from training.

The shipped model is confidently wrong off its training domains (issue 16). This layer does not
retrain it. It reads the model's own penultimate features (the pooled, tanh'd [CLS] vector the
classification head sees, exposed as an extra ONNX output), measures the Mahalanobis distance
`d` to a Gaussian fitted on the model's training posts, and shrinks the calibrated log-odds:

    w = exp(-max(0, d - d_ref) / scale)          (1 inside the training cloud, -> 0 far away)
    score = sigmoid(w * logit(p) / T + (1 - w) * logit(prior))

`T` is a temperature fitted across sets: the base calibration was fitted on Constraint + LIAR
dev only, and its confidence does not hold on other sets. At a fixed `w` the map is monotone in
`p`, and for `w = 1` it is the same for every post, so bands can be kept exactly by mapping the
thresholds through it (`map_threshold`). A far post moves toward `prior`; `w < flag_below`
sets the flag `out_of_domain`. `d_ref` (a high quantile of the training distances), `scale`,
`prior` and `T` are chosen by `classifier.training.ood_fit` on fit parts only, leave-one-set-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from classifier.calibration import log_odds
from classifier.io import read_json, write_json

Floats = NDArray[np.float64]
EMBED_OUTPUT = "/bert/pooler/activation/Tanh_output_0"
LAYER_JSON = "ood.json"
LAYER_NPZ = "ood.npz"


@dataclass(frozen=True)
class Gaussian:
    mean: Floats
    precision: Floats

    @classmethod
    def fit(cls, emb: Floats, shrinkage: float = 0.1) -> Gaussian:
        """Mean and shrunk covariance (towards its average variance), inverted once."""
        x = np.asarray(emb, dtype=np.float64)
        mean = x.mean(axis=0)
        cov = np.cov(x - mean, rowvar=False)
        target = np.eye(cov.shape[0]) * float(np.trace(cov)) / cov.shape[0]
        shrunk = (1 - shrinkage) * cov + shrinkage * target
        return cls(mean, np.asarray(np.linalg.inv(shrunk), dtype=np.float64))

    def distance(self, emb: NDArray[np.floating]) -> Floats:
        diff = np.asarray(emb, dtype=np.float64) - self.mean
        sq = np.einsum("ij,jk,ik->i", diff, self.precision, diff)
        return np.asarray(np.sqrt(np.maximum(sq, 0.0)), dtype=np.float64)


@dataclass(frozen=True)
class OodLayer:
    gaussian: Gaussian
    d_ref: float
    scale: float
    prior: float
    flag_below: float = 0.5
    meta: dict[str, Any] | None = None  # how it was fitted, for the card (not used to score)
    temperature: float = 1.0

    def weight(self, emb: NDArray[np.floating]) -> Floats:
        return weight_from_distance(self.gaussian.distance(emb), self.d_ref, self.scale)

    def apply(self, probs: Floats, emb: NDArray[np.floating]) -> tuple[Floats, Floats]:
        """(adjusted probabilities, weights); `probs` are the base model's calibrated scores."""
        w = self.weight(emb)
        return shrink(probs, w, self.prior, self.temperature), w

    def map_threshold(self, threshold: float) -> float:
        """Where a base-score threshold lands for an in-domain post (w = 1)."""
        return float(shrink(np.array([threshold]), np.ones(1), self.prior, self.temperature)[0])

    def dump(self, model_dir: Path) -> None:
        params = {
            "kind": "mahalanobis-shrink",
            "embedding": EMBED_OUTPUT,
            "d_ref": self.d_ref,
            "scale": self.scale,
            "prior": self.prior,
            "temperature": self.temperature,
            "flag_below": self.flag_below,
            "fitted": self.meta or {},
        }
        write_json(model_dir / LAYER_JSON, params)
        np.savez_compressed(
            model_dir / LAYER_NPZ,
            mean=self.gaussian.mean.astype(np.float32),
            precision=self.gaussian.precision.astype(np.float32),
        )

    @classmethod
    def load(cls, model_dir: Path) -> OodLayer | None:
        if not (model_dir / LAYER_JSON).is_file():
            return None
        raw = read_json(model_dir / LAYER_JSON)
        arrays = np.load(model_dir / LAYER_NPZ)
        gauss = Gaussian(arrays["mean"].astype(np.float64), arrays["precision"].astype(np.float64))
        return cls(
            gauss,
            float(raw["d_ref"]),
            float(raw["scale"]),
            float(raw["prior"]),
            float(raw.get("flag_below", 0.5)),
            raw.get("fitted"),
            float(raw.get("temperature", 1.0)),
        )


def weight_from_distance(d: Floats, d_ref: float, scale: float) -> Floats:
    return np.asarray(np.exp(-np.maximum(0.0, d - d_ref) / scale), dtype=np.float64)


def shrink(probs: Floats, w: Floats, prior: float, temperature: float = 1.0) -> Floats:
    z = w * log_odds(probs) / temperature + (1 - w) * float(log_odds(np.array([prior]))[0])
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


def session_with_embedding(onnx_path: Path, opts: Any) -> Any:
    """An ORT session over the same weights that also returns EMBED_OUTPUT (added in memory:
    nothing is written, the shipped file is unchanged)."""
    import onnx
    import onnxruntime as ort

    model = onnx.load(str(onnx_path))
    if EMBED_OUTPUT not in {o.name for o in model.graph.output}:
        model.graph.output.append(
            onnx.helper.make_tensor_value_info(EMBED_OUTPUT, onnx.TensorProto.FLOAT, None)
        )
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
