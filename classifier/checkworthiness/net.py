"""The head's network as plain arrays: standardise, an optional ReLU layer, one logit.

`hidden == 0` is a logistic regression; otherwise a one-hidden-layer MLP. Both are fitted with
scikit-learn at training time but scored with numpy alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from classifier.io import read_json, write_json

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

HEAD_FILE = "head.npz"  # a head's arrays, next to its config (`save_head`)


@dataclass(frozen=True)
class Net:
    mean: Floats
    scale: Floats
    coef: Floats  # (inputs,) for a linear head, (hidden,) after the hidden layer
    intercept: float
    w1: Floats | None = None  # (inputs, hidden)
    b1: Floats | None = None  # (hidden,)

    @property
    def inputs(self) -> int:
        return int(self.mean.shape[0])

    def margin(self, x: npt.NDArray[np.floating]) -> Floats:
        """Uncalibrated log-odds."""
        if x.ndim != 2 or x.shape[1] != self.inputs:
            raise ValueError(f"expected (n, {self.inputs}) features, got {x.shape}")
        h = (np.asarray(x, dtype=np.float64) - self.mean) / self.scale
        if self.w1 is not None and self.b1 is not None:
            h = np.maximum(h @ self.w1 + self.b1, 0.0)
        return np.asarray(h @ self.coef + self.intercept, dtype=np.float64)

    def save_arrays(self, path: Path) -> None:
        """The weights as float32 `.npz` (the intercept goes in the head's JSON config)."""
        arrays = {"mean": self.mean, "scale": self.scale, "coef": self.coef}
        if self.w1 is not None and self.b1 is not None:
            arrays |= {"w1": self.w1, "b1": self.b1}
        np.savez(path, **{k: v.astype(np.float32) for k, v in arrays.items()})  # type: ignore[arg-type]  # numpy's stub types **kwds as allow_pickle

    @classmethod
    def load_arrays(cls, path: Path, intercept: float) -> Net:
        with np.load(path) as npz:
            arr = {k: npz[k].astype(np.float64) for k in npz.files}
        return cls(arr["mean"], arr["scale"], arr["coef"], intercept, arr.get("w1"), arr.get("b1"))


def fit_net(
    x: Floats, y: Ints, w: Floats, *, c: float, hidden: int, seed: int = 0, members: int = 1
) -> Net:
    """L2 logistic regression (`C=c`) or an MLP (`alpha=1/c`, early stopping on a slice of
    the rows it is given), on standardised features. `members` > 1 averages the logits of that
    many MLPs fitted with seeds `seed`, `seed + 1`, ...: one MLP's dev F1 moved by up to 0.07
    between seeds."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 1e-6, scale, 1.0)
    xs = (x - mean) / scale
    if hidden == 0:
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=c, max_iter=3000).fit(xs, y, sample_weight=w)
        return Net(mean, scale, lr.coef_[0].astype(np.float64), float(lr.intercept_[0]))
    parts = [_mlp(xs, y, w, c=c, hidden=hidden, seed=seed + k) for k in range(members)]
    # The mean of K one-layer nets' logits is one net K times as wide: their hidden units side
    # by side, the output weights divided by K, the output biases averaged.
    return Net(
        mean,
        scale,
        np.concatenate([p.coef for p in parts]) / members,
        float(np.mean([p.intercept for p in parts])),
        np.concatenate([p.w1 for p in parts], axis=1),
        np.concatenate([p.b1 for p in parts]),
    )


@dataclass(frozen=True)
class _Mlp:
    w1: Floats
    b1: Floats
    coef: Floats
    intercept: float


def _mlp(xs: Floats, y: Ints, w: Floats, *, c: float, hidden: int, seed: int) -> _Mlp:
    from sklearn.neural_network import MLPClassifier

    mlp = MLPClassifier(
        (hidden,), alpha=1.0 / c, early_stopping=True, max_iter=200, random_state=seed
    ).fit(xs, y, sample_weight=w)
    w1, w2 = (np.asarray(a, dtype=np.float64) for a in mlp.coefs_)
    b1, b2 = (np.asarray(a, dtype=np.float64) for a in mlp.intercepts_)
    return _Mlp(w1, b1, w2[:, 0], float(b2[0]))


def save_head(model_dir: Path, net: Net, config_file: str, config: dict[str, Any]) -> None:
    """Write a head: the net's arrays to `head.npz`, `config` (which holds the intercept) as
    JSON to `config_file`."""
    model_dir.mkdir(parents=True, exist_ok=True)
    net.save_arrays(model_dir / HEAD_FILE)
    write_json(model_dir / config_file, config)


def load_head(model_dir: Path, config_file: str) -> tuple[Net, dict[str, Any]]:
    """Read what `save_head` wrote: the net, and the rest of the config (intercept taken out)."""
    config: dict[str, Any] = read_json(model_dir / config_file)
    net = Net.load_arrays(model_dir / HEAD_FILE, float(config.pop("intercept")))
    return net, config
