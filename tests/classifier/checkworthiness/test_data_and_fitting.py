"""Parsing the three training sets' file formats, the features, and the fitting recipe, on
small files and data made here (no ../shared, no encoder)."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import numpy as np
import pytest

from classifier.calibration import Calibration
from classifier.checkworthiness.data import load_all
from classifier.checkworthiness.features import LEXICAL_NAMES, features, lexical, prepare
from classifier.checkworthiness.fitting import Choice, choose_threshold, fit_head, sample_weights
from classifier.checkworthiness.head import Head
from classifier.checkworthiness.net import fit_net

CB_HEADER = ["Sentence_id", "Text", "Speaker", "Verdict"]
CT_HEADER = ["topic", "tweet_id", "tweet_url", "tweet_text", "class_label"]


def _write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows([header, *rows])


def _make_sets(root: Path) -> None:
    cb = root / "claimbuster" / "data" / "ClaimBuster" / "datasets"
    _write_csv(
        cb / "crowdsourced.csv",
        CB_HEADER,
        [
            ["1", "Taxes rose 40 percent.", "A", "1"],
            ["2", "Thank you all.", "B", "-1"],
            ["3", "I was in Ohio.", "A", "0"],
            ["4", "Crime fell by half in 2010!", "B", "1"],
        ],
    )
    _write_csv(cb / "groundtruth.csv", CB_HEADER, [["9", "Crime fell by half in 2010.", "B", "1"]])
    ct21 = root / "checkthat2021_task1a_en"
    head21 = ["topic_id", "tweet_id", "tweet_url", "tweet_text", "claim"]
    _write_csv(
        ct21 / "dataset_train_v1_english.tsv",
        [*head21, "check_worthiness"],
        [["covid-19", "1", "u", "Masks cut spread by 80%", "1", "1"]],
        "\t",
    )
    _write_csv(
        ct21 / "dataset_dev_v1_english.tsv",
        [*head21, "claim_worthiness"],
        [["covid-19", "2", "u", "stay safe all", "0", "0"]],
        "\t",
    )
    ct22 = root / "checkthat2022_task1_en"
    ct22.mkdir()
    with zipfile.ZipFile(ct22 / "CT22_english_1A_checkworthy.zip", "w") as zf:
        for split, text, label in (
            ("train", "stay safe all", "0"),
            ("dev", "Vaccines contain chips", "1"),
            ("dev_test", "good night", "0"),
        ):
            zf.writestr(
                f"CT22_english_1A_checkworthy_{split}.tsv",
                "\t".join(CT_HEADER) + f"\nCOVID-19\t5\tu\t{text}\t{label}\n",
            )


def test_each_set_is_parsed_with_its_own_label_mapping(tmp_path: Path) -> None:
    _make_sets(tmp_path)
    rows = {(r.source, r.split, r.text): r.label for r in load_all(tmp_path)}
    assert rows[("claimbuster", "train", "Taxes rose 40 percent.")] == 1
    assert rows[("claimbuster", "train", "I was in Ohio.")] == 0  # UFS is not check-worthy
    assert rows[("claimbuster", "train", "Thank you all.")] == 0  # NFS
    assert rows[("checkthat2021_task1a_en", "train", "Masks cut spread by 80%")] == 1
    assert rows[("checkthat2021_task1a_en", "dev", "stay safe all")] == 0
    assert rows[("checkthat2022_task1_en", "dev", "Vaccines contain chips")] == 1
    assert ("checkthat2022_task1_en", "dev_test", "good night") in rows


def test_training_rows_that_appear_in_any_evaluation_split_are_dropped(tmp_path: Path) -> None:
    _make_sets(tmp_path)
    train = [r.text for r in load_all(tmp_path) if r.split == "train"]
    # Equal up to punctuation to a ClaimBuster dev sentence, and a CT22 train tweet that is a
    # CT21 dev tweet: neither may be trained on.
    assert "Crime fell by half in 2010!" not in train
    assert "stay safe all" not in train
    assert "Taxes rose 40 percent." in train


def test_prepare_is_the_claim_matchers_cleaning_and_never_empty() -> None:
    assert prepare("5G spreads covid https://t.co/x #5G @who") == "5G spreads covid 5G who"
    assert prepare("https://t.co/abc") == "https://t.co/abc"  # nothing left: keep the text
    assert len(prepare("a" * 20_000)) == 5000


def test_lexical_cues_see_numbers_comparisons_and_questions() -> None:
    cues = dict(
        zip(
            LEXICAL_NAMES,
            lexical(["Unemployment fell to 3.5% in 2019, lower than ever"])[0],
            strict=True,
        )
    )
    assert cues["has_number"] == 1.0 and cues["quantity_words"] > 0 and cues["comparison_words"] > 0
    chat = dict(zip(LEXICAL_NAMES, lexical(["anyone up? 你好吗？"])[0], strict=True))
    assert chat["question"] == 1.0 and chat["has_number"] == 0.0
    assert features(np.zeros((1, 384), dtype=np.float32), ["x"]).shape == (
        1,
        384 + len(LEXICAL_NAMES),
    )


def test_per_source_weighting_gives_every_set_the_same_total_weight() -> None:
    sources = np.array(["a"] * 90 + ["b"] * 10)
    w = sample_weights(sources, "per_source")
    assert np.isclose(w[sources == "a"].sum(), w[sources == "b"].sum())
    assert np.allclose(sample_weights(sources, "natural"), 1.0)


def _toy(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 6)) + y[:, None] * np.array([1.5, 0, 0, 0, 0, 0.5])
    return x, y, np.array(["s1", "s2"] * (n // 2))


def test_fit_head_chooses_on_training_data_calibrates_and_round_trips(tmp_path: Path) -> None:
    x, y, sources = _toy()
    head, selection = fit_head(
        x,
        y,
        sources,
        encoder="enc",
        lexical=[f"f{i}" for i in range(6)],
        choices=[Choice(0.1, "natural"), Choice(1.0, "per_source"), Choice(10.0, "per_source", 8)],
        folds=3,
    )
    assert len(selection["grid"]) == 3 and 0.05 <= head.threshold <= 0.95  # type: ignore[arg-type]
    probs = head.probability(x)
    # Calibrated: the mean score tracks the base rate, and positives score higher.
    assert abs(probs.mean() - y.mean()) < 0.05
    assert probs[y == 1].mean() > probs[y == 0].mean() + 0.3
    head.save(tmp_path)
    again = Head.load(tmp_path)
    assert np.allclose(again.probability(x), probs, atol=1e-5)
    assert again.encoder == "enc" and again.threshold == head.threshold


def test_calibration_is_monotonic_in_the_margin() -> None:
    z = np.linspace(-20, 20, 401)
    p = Calibration(a=0.8, b=-1.2, kind="platt").apply(z)
    assert np.all(np.diff(p) >= 0) and p[0] < 0.01 and p[-1] > 0.99


def test_threshold_maximises_the_mean_f1_over_sets() -> None:
    probs = np.array([0.1, 0.2, 0.8, 0.9, 0.1, 0.6, 0.7, 0.95])
    y = np.array([0, 0, 1, 1, 0, 0, 1, 1])
    sources = np.array(["a"] * 4 + ["b"] * 4)
    t = choose_threshold(probs, y, sources)
    assert 0.6 < t <= 0.7  # separates both sets perfectly


def test_an_mlp_head_scores_with_numpy_alone_after_a_round_trip(tmp_path: Path) -> None:
    from sklearn.neural_network import MLPClassifier

    x, y, _ = _toy()
    net = fit_net(x, y, np.ones(len(y)), c=10.0, hidden=8)
    # The numpy forward pass is sklearn's: same seed and data give the same probabilities.
    xs = (x - net.mean) / net.scale
    ref = MLPClassifier((8,), alpha=0.1, early_stopping=True, max_iter=200, random_state=0)
    expected = ref.fit(xs, y).predict_proba(xs)[:, 1]
    assert np.allclose(1 / (1 + np.exp(-net.margin(x))), expected, atol=1e-6)
    head = Head(net, Calibration(a=1.0, b=0.0, kind="platt"), "enc", ("f",), 0.5)
    head.save(tmp_path)
    again = Head.load(tmp_path)
    assert again.net.w1 is not None and again.net.w1.shape == (6, 8)
    assert np.allclose(again.probability(x), head.probability(x), atol=1e-5)


def test_averaged_mlps_are_one_wider_net_giving_the_mean_of_their_logits(tmp_path: Path) -> None:
    x, y, _ = _toy()
    w = np.ones(len(y))
    singles = [fit_net(x, y, w, c=10.0, hidden=8, seed=s) for s in (3, 4, 5)]
    merged = fit_net(x, y, w, c=10.0, hidden=8, seed=3, members=3)
    assert merged.w1 is not None and merged.w1.shape == (6, 24)
    expected = np.mean([n.margin(x) for n in singles], axis=0)
    assert np.allclose(merged.margin(x), expected, atol=1e-9)
    assert not np.allclose(singles[0].margin(x), singles[1].margin(x))  # the seeds differ
    head = Head(merged, Calibration(a=1.0, b=0.0, kind="platt"), "enc", ("f",), 0.5)
    head.save(tmp_path)
    assert np.allclose(Head.load(tmp_path).net.margin(x), expected, atol=1e-4)  # float32 store


def test_wrong_feature_width_is_refused() -> None:
    x, y, _ = _toy()
    net = fit_net(x, y, np.ones(len(y)), c=1.0, hidden=0)
    with pytest.raises(ValueError, match="features"):
        net.margin(x[:, :3])
