"""`veracity evaluate` across sets, end to end on a tiny shipped fixture (no ../shared)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.cli import main
from classifier.serving.loader import find_model_dir, weights_dir
from classifier.serving.onnx_classifier import OnnxClassifier

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "eval_sets.csv"
SETS = {"constraint_covid19", "health_news", "wiki_claims"}
METRICS = {"n", "weighted_f1", "auc", "ece", "brier", "flagged_false", "positive_share"}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, object]]:
    root = tmp_path_factory.mktemp("eval")
    out, layer = root / "report", root / "layer"
    argv = ["evaluate", "--input", str(FIXTURE), "--loso", "--output-dir", str(out)]
    assert main([*argv, "--write-layer", str(layer), "--fit-cap", "6"]) == 0
    return out, layer, json.loads((out / "report.json").read_text())


def test_report_has_every_set_method_and_text_variant(
    run: tuple[Path, Path, dict[str, object]],
) -> None:
    _, _, report = run
    assert report["in_domain_sets"] == ["constraint_covid19"]
    rows = report["rows"]
    assert isinstance(rows, list)
    got = {(r["set"], r["method"], r["text"]) for r in rows}
    for s in SETS:
        for method in ("model", "model_ood_loso", "tfidf_same_data", "tfidf_loso"):
            for text in ("original", "destyled"):
                assert (s, method, text) in got
        assert (s, "model_normalised_input", "original") in got
    for r in rows:
        assert set(r) >= METRICS | {"set", "method", "text", "in_domain"}
        assert r["in_domain"] == (r["set"] == "constraint_covid19")
        assert r["n"] == 4 and 0 <= r["ece"] <= 1 and 0 <= r["brier"] <= 1


def test_leave_one_set_out_never_fits_on_the_held_out_set(
    run: tuple[Path, Path, dict[str, object]],
) -> None:
    _, _, report = run
    loso = report["loso"]
    assert isinstance(loso, dict) and set(loso) == SETS
    for held, info in loso.items():
        assert held not in info["tfidf_trained_on"]
        assert held not in info["ood_layer_fitted_on"]
        assert set(info["tfidf_trained_on"]) == SETS - {held}
    summary = report["summary"]
    assert isinstance(summary, dict)
    ood = summary["model"]["original"]
    assert ood["out_of_domain_sets"] == ["health_news", "wiki_claims"]
    assert {"mean_ece_ood", "mean_auc_ood", "constraint_weighted_f1"} <= set(ood)


def test_html_and_reliability_pngs_are_written(run: tuple[Path, Path, dict[str, object]]) -> None:
    out, _, report = run
    plots = report["plots"]
    assert isinstance(plots, list)
    assert "reliability_model_original.png" in plots
    assert "reliability_model_ood_loso_destyled.png" in plots
    for name in plots:
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    page = (out / "report.html").read_text()
    for text in ("Cross-set evaluation", "wiki_claims", "tfidf_loso", "reliability_model"):
        assert text in page


def test_a_written_layer_serves_over_the_base_weights_without_copying_them(
    run: tuple[Path, Path, dict[str, object]], tmp_path: Path
) -> None:
    _, layer, _ = run
    base = find_model_dir()
    assert base is not None
    base = weights_dir(base)
    release = tmp_path / "layer-only-model"
    release.mkdir()
    for name in ("ood.json", "ood.npz"):
        (release / name).write_bytes((layer / name).read_bytes())
    meta = {"model_version": "layer-test", "weights_dir": str(base), "max_length": 128}
    (release / "metadata.json").write_text(json.dumps(meta))
    assert not (release / "model.int8.onnx").exists()
    assert find_model_dir(tmp_path) == release
    clf = OnnxClassifier(release, threads=1)
    assert clf.ood is not None and clf.model_version == "layer-test"
    preds = clf.predict(["Garlic water cures COVID-19 in one day say doctors."])
    assert 0.0 <= preds[0].score <= 1.0


def test_an_opt_in_release_is_used_only_when_named(tmp_path: Path) -> None:
    base = find_model_dir()
    assert base is not None
    release = tmp_path / "zz-opt-in"
    release.mkdir()
    meta = {"model_version": "zz", "weights_dir": str(weights_dir(base)), "opt_in": True}
    (release / "metadata.json").write_text(json.dumps(meta))
    assert find_model_dir(tmp_path) is None
    assert OnnxClassifier(release, threads=1).model_version == "zz"
