"""The out-of-domain layer: pure behaviour, and on the shipped model against its base weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifier.calibration import Calibration
from classifier.ood import Gaussian, OodLayer, shrink, weight_from_distance
from classifier.serving.loader import MODELS_ROOT, artifact, find_model_dir, is_opt_in, weights_dir
from classifier.serving.onnx_classifier import OnnxClassifier
from classifier.training.ood_fit import FitPart, fit_layer


def test_shrink_pulls_toward_the_prior_and_keeps_order() -> None:
    p = np.linspace(0.01, 0.99, 99)
    for w in (1.0, 0.7, 0.3, 0.0):
        out = shrink(p, np.full_like(p, w), 0.4)
        assert np.all(np.diff(out) >= 0)  # monotone in the base score at a fixed weight
        if 0 < w < 1:
            assert np.all(np.diff(out) > 0)
        assert np.all(np.abs(out - 0.4) <= np.abs(p - 0.4) + 1e-9)
    np.testing.assert_allclose(shrink(p, np.ones_like(p), 0.4), p, atol=1e-9)
    np.testing.assert_allclose(shrink(p, np.zeros_like(p), 0.4), 0.4, atol=1e-9)


def test_weight_is_one_inside_and_falls_with_distance() -> None:
    d = np.array([0.0, 5.0, 10.0, 12.0, 20.0, 40.0])
    w = weight_from_distance(d, d_ref=10.0, scale=4.0)
    assert w[:3].tolist() == [1.0, 1.0, 1.0]
    assert np.all(np.diff(w[2:]) < 0) and w[-1] < 0.01


def test_gaussian_distance_grows_away_from_the_data() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 8))
    g = Gaussian.fit(x)
    near, far = g.distance(x[:50]), g.distance(x[:50] + 6.0)
    assert far.min() > near.max()


def test_fit_prefers_shrinking_when_far_posts_are_confidently_wrong() -> None:
    rng = np.random.default_rng(1)
    train_dist = rng.normal(10, 1, 400)
    y = rng.integers(0, 2, 400)
    near = FitPart("near", np.where(y == 1, 0.95, 0.05), rng.normal(10, 1, 400), y)
    far = FitPart("far", np.full(400, 0.97), rng.normal(30, 1, 400), y)  # chance, but sure
    layer = fit_layer(Gaussian(np.zeros(2), np.eye(2)), train_dist, [near, far])
    w_far = weight_from_distance(far.dist, layer.d_ref, layer.scale)
    w_near = weight_from_distance(near.dist, layer.d_ref, layer.scale)
    assert w_far.max() < 0.2 < 0.9 < w_near.mean()
    assert 0.35 <= layer.prior <= 0.65


def test_layer_round_trips_through_its_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    layer = OodLayer(Gaussian.fit(rng.normal(size=(100, 4))), 3.0, 1.5, 0.45, 0.5, {"k": 1})
    layer.dump(tmp_path)
    back = OodLayer.load(tmp_path)
    assert back is not None and (back.d_ref, back.scale, back.prior) == (3.0, 1.5, 0.45)
    emb = rng.normal(size=(5, 4))
    np.testing.assert_allclose(back.weight(emb), layer.weight(emb), rtol=1e-5)
    assert OodLayer.load(tmp_path / "missing") is None


def test_shipped_calibration_is_monotone_in_the_margin(shipped_dir: Path) -> None:
    cal = Calibration.load(artifact(shipped_dir, "calibration.json"))
    p = cal.apply(np.linspace(-15, 15, 3001))
    assert np.all(np.diff(p) >= 0) and p[0] < 0.05 and p[-1] > 0.95


def test_mapped_thresholds_keep_every_in_domain_band() -> None:
    from classifier.thresholds import Thresholds

    rng = np.random.default_rng(3)
    layer = OodLayer(Gaussian(np.zeros(2), np.eye(2)), 1.0, 1.0, 0.45, 0.5, None, 4.0)
    old = Thresholds(review=0.389, urgent=0.671)
    new = Thresholds(review=layer.map_threshold(0.389), urgent=layer.map_threshold(0.671))
    p = np.concatenate([rng.uniform(0, 1, 2000), [0.389, 0.671]])
    moved = shrink(p, np.ones_like(p), layer.prior, layer.temperature)
    assert [old.band_for(x) for x in p] == [new.band_for(x) for x in moved]
    assert np.all(np.abs(moved - 0.5) <= np.abs(p - 0.5) + 1e-12)  # a temperature only softens


IN_DOMAIN = [
    "The Ministry of Health reports 1,204 new confirmed cases and 87 recoveries in the last "
    "24 hours. #IndiaFightsCorona https://t.co/abc",
    "Drinking hot water every 15 minutes kills the coronavirus in your throat.",
]
FAR = ["def main(): return 0"]


@pytest.fixture(scope="module")
def layer_dir() -> Path:
    found = sorted(p.parent for p in MODELS_ROOT.glob("*/ood.json"))
    assert found, "a release with the out-of-domain layer must be shipped under models/"
    return found[-1]


def test_the_layer_release_reuses_the_weights_and_is_opt_in(layer_dir: Path) -> None:
    assert not (layer_dir / "model.int8.onnx").exists()
    assert artifact(layer_dir, "model.int8.onnx").is_file()
    assert is_opt_in(layer_dir) and find_model_dir() != layer_dir
    metrics = json.loads((layer_dir / "metrics.json").read_text())
    for method in ("model", "model_ood_loso", "tfidf_loso", "tfidf_same_data"):
        assert metrics["summary"][method]["original"]["mean_ece_ood"] is not None
    base, layered = (metrics["summary"][m]["original"] for m in ("model", "model_ood_loso"))
    assert layered["mean_ece_ood"] < base["mean_ece_ood"]  # what the release is for
    assert layered["constraint_weighted_f1"] == base["constraint_weighted_f1"]


def test_in_domain_posts_keep_their_band_and_far_posts_are_pulled_and_flagged(
    layer_dir: Path,
) -> None:
    layered = OnnxClassifier(layer_dir, threads=2)
    base = OnnxClassifier(weights_dir(layer_dir), threads=2)
    layer = layered.ood
    assert layer is not None
    texts = IN_DOMAIN + FAR
    before = base.scores(texts)
    after, weights = layered.probabilities(layered.encode(texts))
    assert weights is not None
    tempered = shrink(before, np.ones_like(before), layer.prior, layer.temperature)
    preds, base_preds = layered.predict(texts), base.predict(texts)
    for i in range(len(IN_DOMAIN)):
        assert weights[i] == 1.0
        assert after[i] == pytest.approx(tempered[i], abs=1e-9)  # only the temperature
        assert preds[i].band == base_preds[i].band
        assert "out_of_domain" not in preds[i].flags
    for i in range(len(IN_DOMAIN), len(texts)):
        assert weights[i] < layer.flag_below
        assert abs(after[i] - layer.prior) < abs(tempered[i] - layer.prior) + 1e-9
        assert abs(after[i] - layer.prior) < 0.05
        assert "out_of_domain" in preds[i].flags and preds[i].out_of_distribution
    assert before[1] > before[0] and after[1] > after[0]  # order kept in domain
