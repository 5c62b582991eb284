"""`veracity evaluate --shared-head` adds the head's rows to the suite's report (tiny fixture
in tests/fixtures, the real shipped encoder; no ../shared)."""

from __future__ import annotations

import json
from pathlib import Path

from classifier.cli import main
from classifier.shared_head.evaluation import ALL_SETS, LOSO

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "eval_sets.csv"
SETS = {"constraint_covid19", "health_news", "wiki_claims"}


def test_the_suite_reports_the_shared_head_beside_the_model(tmp_path: Path) -> None:
    argv = ["evaluate", "--input", str(FIXTURE), "--loso", "--output-dir", str(tmp_path)]
    assert main([*argv, "--fit-cap", "6", "--shared-head"]) == 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    got = {(r["set"], r["method"], r["text"]) for r in report["rows"]}
    for s in SETS:
        for method in (LOSO, ALL_SETS, "model", "tfidf_loso"):
            for text in ("original", "destyled"):
                assert (s, method, text) in got
    for held in SETS:
        assert report["shared_head"][held]["trained_on"] == sorted(SETS - {held})
    # LOSO rows keep the suite's meaning of in-domain (the shipped model's sets)
    loso = [r for r in report["rows"] if r["method"] == LOSO]
    assert {r["set"] for r in loso if r["in_domain"]} == {"constraint_covid19"}
    summary = report["summary"][LOSO]["original"]
    assert summary["out_of_domain_sets"] == ["health_news", "wiki_claims"]
    assert (tmp_path / f"reliability_{LOSO}_original.png").is_file()
