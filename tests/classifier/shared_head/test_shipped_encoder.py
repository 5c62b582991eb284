"""The head over the real shipped encoder (models/claim-matcher-*/encoder.onnx): trained on a
few generated posts, saved, loaded, and scoring text through the same encoder intake runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from classifier.checkworthiness.encoder import load_encoder, newest_matcher_dir
from classifier.shared_head import FalsehoodHead
from classifier.shared_head.evaluation import fit_on
from classifier.shared_head.store import VectorStore
from classifier.training.evalsets import EvalSet


def test_head_on_the_shipped_encoder_round_trips(tmp_path: Path, toy_sets: list[EvalSet]) -> None:
    encoder = load_encoder(newest_matcher_dir())
    small = [EvalSet(s.name, s.fit[:12], s.eval[:4], s.split) for s in toy_sets[:3]]
    head, selection = fit_on(small, VectorStore(encoder, None))
    assert head.encoder == encoder.name and selection["trained_on"] == [s.name for s in small]
    head.save(tmp_path)
    loaded = FalsehoodHead.load(tmp_path)
    texts = ["miracle cure ends the virus, they hide it", "ministry reports new cases today"]
    p = loaded.score_texts(texts, encoder)
    assert p.shape == (2,) and ((p > 0) & (p < 1)).all()
    np.testing.assert_allclose(p, head.score_texts(texts, encoder), atol=1e-5)
    assert p[0] > p[1]


def test_the_bench_times_both_paths_per_post() -> None:
    from classifier.shared_head.bench import run

    result = run(3, None, 1)
    assert result["posts"] == 3
    times = result["median_ms_per_post"]
    assert times["today"] > times["shared"] > 0
