"""The serving path (tokenise outside, sort by length, pad per batch, calibrate) matches plain
`transformers` inference with the same weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from classifier.serving.onnx_classifier import OnnxClassifier

TEXTS = [
    "Drinking hot water every 15 minutes kills the coronavirus in your throat.",
    "The ministry reports 1,204 new cases today; 87% of patients have recovered. #IndiaFightsCorona",
    "ok",
    "Says the governor cut education funding by $1 billion while giving tax breaks to oil firms "
    "and that every school district in the state lost teachers as a direct result of it.",
    "5G towers spread COVID-19!!! share before they delete this",
    "CDC guidance: wear a mask indoors in areas of high transmission https://t.co/abc",
] * 3


def _torch_logits(hf_dir: Path, texts: list[str]) -> np.ndarray:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(hf_dir, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(hf_dir, local_files_only=True)
    model.eval()
    with torch.no_grad():
        enc = tok(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
        logits: np.ndarray = model(**enc).logits.numpy()
        return logits


@pytest.mark.parametrize("batch_size", [1, 4, 32])
def test_fp32_onnx_serving_path_matches_transformers(
    tiny_dirs: tuple[Path, Path], batch_size: int
) -> None:
    hf_dir, model_dir = tiny_dirs
    clf = OnnxClassifier(model_dir, onnx_file="model.fp32.onnx", batch_size=batch_size)
    expected = _torch_logits(hf_dir, TEXTS)
    got = clf.logits(clf.encode(TEXTS))
    np.testing.assert_allclose(got, expected, atol=2e-4)
    # the calibrated score is sigmoid(a * margin + b) of the same logits, in input order
    scores = np.array([p.score for p in clf.predict(TEXTS)])
    margin = expected[:, 1] - expected[:, 0]
    want = 1 / (1 + np.exp(-(0.7 * margin + 0.2)))
    np.testing.assert_allclose(scores, want, atol=1e-4)


def test_int8_tiny_model_stays_close_to_fp32(tiny_dirs: tuple[Path, Path]) -> None:
    _, model_dir = tiny_dirs
    fp32 = OnnxClassifier(model_dir, onnx_file="model.fp32.onnx")
    int8 = OnnxClassifier(model_dir)
    diff = np.abs(fp32.scores(TEXTS) - int8.scores(TEXTS))
    assert diff.max() < 0.05


def test_batches_are_padded_only_to_their_own_longest_post(
    tiny_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, model_dir = tiny_dirs
    clf = OnnxClassifier(model_dir, onnx_file="model.fp32.onnx", batch_size=2)
    widths: list[tuple[int, int]] = []
    real_run = clf.session.run

    def spy(names: list[str], feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        widths.append(feed["input_ids"].shape)
        return real_run(names, feed)  # type: ignore[no-any-return]

    monkeypatch.setattr(clf.session, "run", spy)
    ids = clf.encode(TEXTS[:6])
    clf.logits(ids)
    lengths = sorted(len(x) for x in ids)
    assert [w for _, w in widths] == [max(lengths[i : i + 2]) for i in range(0, 6, 2)]
