"""Fixtures for the real classifier's tests: the shipped int8 model and a tiny exported BERT.

No test here reads ../shared: the shipped artifact is in `models/`, and the parity fixture is a
small randomly initialised BERT (seeded) built from a config, with the packaged tokenizer.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from classifier.calibration import Calibration
from classifier.serving.loader import find_model_dir
from classifier.serving.onnx_classifier import OnnxClassifier
from classifier.thresholds import Thresholds

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def shipped_dir() -> Path:
    found = find_model_dir()
    assert found is not None, "the trained int8 model must be shipped under models/"
    return found


@pytest.fixture(scope="session")
def shipped(shipped_dir: Path) -> OnnxClassifier:
    return OnnxClassifier(shipped_dir, threads=2)


@pytest.fixture(scope="session")
def tiny_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(HF dir of a tiny seeded BERT classifier, model dir with its fp32 + int8 ONNX)."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from classifier.training.export import export_all
    from classifier.training.train import backbone_dir

    root = tmp_path_factory.mktemp("tiny")
    hf_dir, model_dir = root / "hf", root / "model"
    tok = AutoTokenizer.from_pretrained(backbone_dir(), local_files_only=True)
    torch.manual_seed(0)
    cfg = BertConfig(
        vocab_size=tok.vocab_size,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=128,
        max_position_embeddings=512,
    )
    cfg.num_labels = 2
    model = BertForSequenceClassification(cfg)
    model.train(False)  # inference mode (eval() is untyped in transformers' stubs)
    model.save_pretrained(hf_dir)
    tok.save_pretrained(hf_dir)
    model_dir.mkdir()
    paths = export_all(hf_dir, model_dir, root / "work")
    shutil.copy(paths["fp32_fused"], model_dir / "model.fp32.onnx")
    shutil.copy(hf_dir / "tokenizer.json", model_dir / "tokenizer.json")
    meta = {"model_version": "tiny-test-0", "max_length": 128}
    (model_dir / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    Calibration(a=0.7, b=0.2, kind="platt").dump(model_dir / "calibration.json")
    Thresholds(review=0.3, urgent=0.6, policy="test").dump(model_dir / "thresholds.json")
    return hf_dir, model_dir
