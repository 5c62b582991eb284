"""Training the head: balanced sets, cross-set choice and calibration, thresholds, round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifier.checkworthiness.model import EncoderMismatchError
from classifier.shared_head import FalsehoodHead, train_head
from classifier.shared_head.data import VARIANTS, Rows, variant_text
from classifier.shared_head.training import Choice, balanced, choose_thresholds
from tests.classifier.shared_head.conftest import HashEmbedder


def _blobs(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three sets of different sizes and base rates; label along one shared direction."""
    rng = np.random.default_rng(seed)
    xs, ys, ss = [], [], []
    for name, n, rate in (("a", 300, 0.2), ("b", 100, 0.5), ("c", 200, 0.8)):
        y = (rng.random(n) < rate).astype(np.int64)
        x = rng.normal(size=(n, 384))
        x[:, 0] += 3.0 * y
        x[:, 1] += {"a": 3.0, "b": -3.0, "c": 0.0}[name]  # a per-set offset (its "style")
        xs.append(x)
        ys.append(y)
        ss += [name] * n
    return np.vstack(xs), np.concatenate(ys), np.array(ss)


def test_each_set_carries_the_same_total_weight() -> None:
    sources = np.array(["a"] * 30 + ["b"] * 10 + ["c"] * 60)
    w = balanced(sources)
    totals = {s: float(w[sources == s].sum()) for s in "abc"}
    assert totals["a"] == pytest.approx(totals["b"]) == pytest.approx(totals["c"])
    labels = np.array(([0] * 9 + [1]) * 3 + [1] * 10 + [0, 1] * 30)
    w = balanced(sources, labels)
    for s in "abc":
        assert float(w[sources == s].sum()) == pytest.approx(totals[s])
    a = sources == "a"
    assert w[a & (labels == 1)].sum() == pytest.approx(w[a & (labels == 0)].sum())


def test_training_picks_by_cross_set_auc_and_ranks_an_unseen_set() -> None:
    x, y, s = _blobs()
    head, sel = train_head(x, y, s, encoder="e", choices=(Choice(0.01), Choice(1.0)))
    assert sel["trained_on"] == ["a", "b", "c"]
    grid = sel["grid"]
    assert isinstance(grid, list) and len(grid) == 2
    assert all(0.5 < g["cross_set_mean_auc"] <= 1.0 for g in grid)
    assert head.calibration.kind == "platt_cross_set"
    tx, ty, ts = _blobs(seed=1)
    p = head.probability(tx)
    assert ((p >= 0) & (p <= 1)).all()
    from sklearn.metrics import roc_auc_score

    for name in "abc":
        assert roc_auc_score(ty[ts == name], p[ts == name]) > 0.8
    # the set offsets correlate with the base rates; label-balanced weights ignore them
    assert abs(head.net.coef[1]) < 0.2 * abs(head.net.coef[0])
    assert 0 <= head.thresholds.review <= head.thresholds.urgent <= 1


def test_thresholds_follow_the_recall_and_precision_policy() -> None:
    probs = np.linspace(0, 1, 200)
    y = (probs > 0.5).astype(np.int64)
    th = choose_thresholds(probs, y)
    assert np.mean(probs[y == 1] >= th.review) >= 0.9
    band = probs >= th.urgent
    assert band.sum() >= 50 and y[band].mean() >= 0.95


def test_no_precise_band_means_no_urgent_band() -> None:
    probs = np.linspace(0, 1, 100)
    y = np.arange(100) % 2  # labels unrelated to the score
    assert choose_thresholds(probs, y).urgent == 1.0


def test_training_reads_both_forms_of_each_post() -> None:
    from classifier.training.datasets import Example

    ex = [Example("BREAKING: CURE FOUND!!! https://t.co/a #Health", 1, "s")]
    rows = Rows.of(ex, VARIANTS)
    assert rows.texts == [
        variant_text(ex[0].text, "original"),
        variant_text(ex[0].text, "destyled"),
    ]
    assert "https" not in rows.texts[0] and "#" not in rows.texts[0]
    assert "BREAKING" not in rows.texts[1] and "!!!" not in rows.texts[1]
    assert rows.labels.tolist() == [1, 1]


def test_saved_head_scores_the_same_and_refuses_another_encoder(tmp_path: Path) -> None:
    x, y, s = _blobs()
    head, _ = train_head(x, y, s, encoder=HashEmbedder.name, choices=(Choice(0.1, hidden=8),))
    head.save(tmp_path)
    loaded = FalsehoodHead.load(tmp_path)
    np.testing.assert_allclose(loaded.probability(x[:20]), head.probability(x[:20]), atol=1e-5)
    assert loaded.thresholds == head.thresholds
    assert loaded.net.w1 is not None  # the MLP's hidden layer came back
    other = HashEmbedder()
    other.name = "another-encoder"
    with pytest.raises(EncoderMismatchError):
        loaded.score_texts(["a claim"], other)


def test_margins_that_rank_backwards_on_unseen_sets_give_the_base_rate_not_a_flip() -> None:
    from classifier.shared_head.training import fit_weighted_platt

    z = np.linspace(-3, 3, 400)
    y = (z < 0).astype(np.int64)  # higher margin, *less* often false
    y[:100] = 0  # base rate 0.25
    cal = fit_weighted_platt(z, y, np.ones(400))
    assert cal.a == 0.0
    np.testing.assert_allclose(cal.apply(z), 0.25, atol=1e-6)
    forwards = fit_weighted_platt(z, 1 - y, np.ones(400))
    assert forwards.a > 0


def test_set_only_weighting_is_recorded() -> None:
    x, y, s = _blobs()
    _, sel = train_head(x, y, s, encoder="e", choices=(Choice(0.1),), label_balanced=False)
    assert sel["weighting"] == "per set"
