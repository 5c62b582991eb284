"""The shipped model directory: complete, self-consistent, and scoring plausibly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifier.interface import Classifier
from classifier.reference import ReferenceClassifier
from classifier.serving.loader import artifact, find_model_dir, load_classifier, weights_dir
from classifier.serving.onnx_classifier import OnnxClassifier
from classifier.thresholds import Band, Thresholds

SHIPPED_FILES = (
    "model.int8.onnx",
    "tokenizer.json",
    "config.json",
    "metadata.json",
    "calibration.json",
    "thresholds.json",
    "metrics.json",
    "MODEL_CARD.md",
    "reliability.png",
)
FALSE_POSTS = [
    "BREAKING: drinking bleach cures coronavirus, doctors don't want you to know!!",
    "Bill Gates put microchips in the vaccine to track everyone. Share before it's deleted!",
]
TRUE_POSTS = [
    "The Ministry of Health reports 1,204 new confirmed cases and 87 recoveries in the last "
    "24 hours. #IndiaFightsCorona",
    "CDC: 25,340 new COVID-19 cases reported today across 50 states; testing capacity expanded.",
]


def test_shipped_directory_has_every_artifact(shipped_dir: Path) -> None:
    missing = [f for f in SHIPPED_FILES if not artifact(shipped_dir, f).is_file()]
    assert missing == []
    assert artifact(shipped_dir, "model.int8.onnx").stat().st_size < 40 * 2**20


def test_thresholds_come_from_the_model_directory(
    shipped: OnnxClassifier, shipped_dir: Path
) -> None:
    assert shipped.thresholds == Thresholds.load(artifact(shipped_dir, "thresholds.json"))
    assert shipped.thresholds != Thresholds.default()
    raw = json.loads(artifact(shipped_dir, "thresholds.json").read_text())
    assert raw["policy"]
    for pred in shipped.predict(FALSE_POSTS + TRUE_POSTS):
        assert pred.band == shipped.thresholds.band_for(pred.score)


def test_model_version_comes_from_metadata(shipped: OnnxClassifier, shipped_dir: Path) -> None:
    meta = json.loads((shipped_dir / "metadata.json").read_text())
    assert shipped.model_version == meta["model_version"] == shipped_dir.name


def test_obvious_posts_are_ranked_sensibly(shipped: OnnxClassifier) -> None:
    preds = shipped.predict(FALSE_POSTS + TRUE_POSTS)
    false_scores = [p.score for p in preds[:2]]
    true_scores = [p.score for p in preds[2:]]
    assert min(false_scores) > max(true_scores)
    assert all(p.band is not Band.IGNORE for p in preds[:2])
    assert all(p.band is Band.IGNORE for p in preds[2:])


def test_batching_and_order_do_not_change_scores(shipped: OnnxClassifier) -> None:
    texts = FALSE_POSTS + TRUE_POSTS
    one_by_one = [shipped.predict([t])[0].score for t in texts]
    batched = [p.score for p in shipped.predict(texts[::-1])][::-1]
    # dynamic int8 quantises activations per batch, so batch-mates move a score slightly
    np.testing.assert_allclose(one_by_one, batched, atol=0.03)


def test_reasons_name_phrases_of_the_post(shipped: OnnxClassifier) -> None:
    preds = shipped.predict(FALSE_POSTS, explain=True)
    for text, pred in zip(FALSE_POSTS, preds, strict=True):
        assert 1 <= len(pred.reasons) <= 5
        assert all(r.phrase in text for r in pred.reasons)
        assert max(r.weight for r in pred.reasons) > 0
    assert shipped.predict(FALSE_POSTS)[0].reasons == ()


def test_metrics_file_records_the_targets(shipped_dir: Path) -> None:
    """The weights' own dev metrics (a layer-only release keeps them with its weights)."""
    metrics = json.loads((weights_dir(shipped_dir) / "metrics.json").read_text())
    dev = metrics["dev_int8_calibrated"]
    assert dev["constraint_covid19"]["weighted_f1"] > 0.9
    assert "accuracy" in dev["liar"]
    assert metrics["dev_half_b_int8"]["all"]["ece"] < 0.1


def test_loader_finds_the_shipped_model_and_falls_back_to_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VERACITY_MODEL_DIR", raising=False)
    clf: Classifier = load_classifier()
    assert isinstance(clf, OnnxClassifier)
    assert find_model_dir(tmp_path) is None
    monkeypatch.setenv("VERACITY_MODEL_DIR", "reference")
    assert isinstance(load_classifier(), ReferenceClassifier)
    with pytest.raises(FileNotFoundError):
        load_classifier(tmp_path)


def test_int8_artifact_matches_fp32_onnx_when_available(shipped_dir: Path) -> None:
    """fp32 weights are not shipped; where a training run left them, int8 must stay close."""
    fp32 = shipped_dir / "checkpoints" / "onnx" / "model.fp32.fused.onnx"
    if not fp32.is_file():
        pytest.skip("fp32 ONNX not present (only on the machine that trained the model)")
    rel = Path("checkpoints") / "onnx" / "model.fp32.fused.onnx"
    full = OnnxClassifier(shipped_dir, onnx_file=str(rel))
    int8 = OnnxClassifier(shipped_dir)
    texts = FALSE_POSTS + TRUE_POSTS + [t.upper() for t in FALSE_POSTS + TRUE_POSTS]
    diff = np.abs(full.scores(texts) - int8.scores(texts))
    assert diff.mean() < 0.02
