"""Pure-logic pieces: calibration, ECE, threshold policy, dataset label mapping, batch plans."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifier.calibration import Calibration, ece, fit_platt
from classifier.training.datasets import LIAR_FALSE, LIAR_TRUE, Example, load_liar
from classifier.training.policy import BandPolicy, band_report, choose_thresholds
from classifier.training.train import TrainConfig, epoch_indices, length_grouped_batches


def test_platt_fit_recovers_a_known_scaling() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(0, 4, 20000)
    y = (rng.random(20000) < 1 / (1 + np.exp(-(0.5 * z - 0.3)))).astype(int)
    cal = fit_platt(z, y)
    assert abs(cal.a - 0.5) < 0.05 and abs(cal.b + 0.3) < 0.1
    assert ece(cal.apply(z), y) < 0.02
    assert ece(Calibration().apply(z), y) > 0.05  # uncalibrated is overconfident


def test_calibration_round_trips_through_json(tmp_path: Path) -> None:
    cal = Calibration(a=0.8, b=-0.1, kind="platt")
    cal.dump(tmp_path / "c.json")
    assert Calibration.load(tmp_path / "c.json") == cal


def test_threshold_policy_meets_recall_and_precision_on_its_data() -> None:
    rng = np.random.default_rng(1)
    y = (rng.random(4000) < 0.4).astype(int)
    s = np.clip(rng.normal(0.3 + 0.4 * y, 0.2), 0, 1)
    th = choose_thresholds(s, y, BandPolicy(review_recall=0.9, urgent_precision=0.95))
    rep = band_report(s, y, th)
    assert rep["review_or_urgent_recall"] >= 0.9
    assert rep["urgent_precision"] >= 0.95
    assert th.review <= th.urgent


def test_liar_six_way_labels_map_to_binary(tmp_path: Path) -> None:
    assert {
        "pants-fire",
        "false",
        "barely-true",
        "half-true",
        "mostly-true",
        "true",
    } == LIAR_FALSE | LIAR_TRUE
    (tmp_path / "liar").mkdir()
    rows = [
        f"{i}.json\t{lab}\tclaim {i}\t" + "\t".join(["x"] * 11)
        for i, lab in enumerate(
            ["pants-fire", "false", "barely-true", "half-true", "mostly-true", "true"]
        )
    ]
    (tmp_path / "liar" / "valid.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert [e.label for e in load_liar(tmp_path, "dev")] == [1, 1, 1, 0, 0, 0]


def test_batch_plans_are_seeded_and_cover_the_rotating_share() -> None:
    train = [
        Example(f"t{i}", i % 2, "liar" if i < 90 else "constraint_covid19") for i in range(120)
    ]
    cfg = TrainConfig(model_dir=Path("unused"), epoch_share={"liar": 1 / 3})
    epochs = [epoch_indices(cfg, train, e) for e in range(3)]
    liar_seen = sorted(i for ep in epochs for i in ep if i < 90)
    assert liar_seen == list(range(90))  # each LIAR example once over three epochs
    assert all(set(range(90, 120)) <= set(ep) for ep in epochs)
    lengths = [i % 17 for i in range(120)]
    a = length_grouped_batches(epochs[0], lengths, 8, seed=5)
    assert a == length_grouped_batches(epochs[0], lengths, 8, seed=5)
    assert sorted(i for b in a for i in b) == sorted(epochs[0])


def test_occlusion_cost_is_bounded_per_post_whatever_its_length() -> None:
    from classifier.serving.reasons import MAX_VARIANTS, occlusion_reasons

    calls: list[int] = []

    def logits(texts: Sequence[str]) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
        calls.append(len(texts))
        # "false" pressure comes only from the word "hoax"
        return np.array([3.0 if "hoax" in t else -1.0 for t in texts], dtype=np.float64)

    short = "the vaccine is a hoax"
    long = " ".join(f"w{i}" for i in range(40)) + " total hoax here"
    reasons = occlusion_reasons([short, long], np.array([3.0, 3.0]), logits)
    assert len(calls) == 1, "all occluded variants go in one batched call"
    long_variants = calls[0] - len(short.split())  # a short post: one variant per word
    assert MAX_VARIANTS - 2 <= long_variants <= MAX_VARIANTS
    assert reasons[0][0].phrase == "hoax"
    assert "hoax" in reasons[1][0].phrase
    assert reasons[1][0].weight == 4.0
