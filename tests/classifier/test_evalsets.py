"""Evaluation sets: label mappings of the added loaders, deterministic halves, no overlap."""

from __future__ import annotations

import json
from pathlib import Path

from classifier.training.datasets import Example, load_coaid, load_fever
from classifier.training.evalsets import EvalSet, deoverlap, in_fit_half, sets_from_file, subsample

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "eval_sets.csv"


def test_fever_maps_refutes_to_false_and_drops_not_enough_info(tmp_path: Path) -> None:
    data = tmp_path / "fever_paper_dev" / "data"
    data.mkdir(parents=True)
    rows = [
        {"label": "SUPPORTS", "claim": "Paris is in France."},
        {"label": "REFUTES", "claim": "Paris is in Peru."},
        {"label": "NOT ENOUGH INFO", "claim": "Paris has 3 cats."},
    ]
    (data / "paper_dev.jsonl").write_text("\n".join(map(json.dumps, rows)) + "\n")
    assert [(e.text, e.label) for e in load_fever(tmp_path)] == [
        ("Paris is in France.", 0),
        ("Paris is in Peru.", 1),
    ]


def test_coaid_label_comes_from_the_file_name_and_titles_are_deduplicated(tmp_path: Path) -> None:
    snap = tmp_path / "coaid" / "05-01-2020"
    snap.mkdir(parents=True)
    head = ",fact_check_url,news_url,title\n"
    (snap / "ClaimFakeCOVID-19.csv").write_text(
        "\ufeff" + head + '1,a,b,"""Garlic cures COVID"""\n', encoding="utf-8"
    )
    (snap / "NewsRealCOVID-19.csv").write_text(
        head + "2,a,b,Masks reduce spread\n3,a,b,masks  reduce spread\n", encoding="utf-8"
    )
    got = sorted((e.text, e.label) for e in load_coaid(tmp_path))
    assert got == [("Garlic cures COVID", 1), ("Masks reduce spread", 0)]


def test_halves_are_deterministic_and_ignore_case_and_spacing() -> None:
    assert in_fit_half("Masks reduce spread") == in_fit_half("  masks   REDUCE spread ")
    texts = [f"claim number {i}" for i in range(400)]
    share = sum(map(in_fit_half, texts)) / len(texts)
    assert 0.4 < share < 0.6


def test_deoverlap_drops_evaluated_texts_seen_in_any_fit_part() -> None:
    a = EvalSet("a", [Example("Shared text", 1, "a")], [Example("only in a", 0, "a")], "x")
    b = EvalSet("b", [], [Example("shared  TEXT", 1, "b"), Example("only in b", 0, "b")], "x")
    out = deoverlap([a, b])
    assert [e.text for e in out[1].eval] == ["only in b"]
    assert out[1].dropped_overlap == 1 and out[0].dropped_overlap == 0


def test_subsample_is_stable() -> None:
    rows = [Example(f"t{i}", i % 2, "s") for i in range(50)]
    assert subsample(rows, 10) == subsample(list(reversed(rows)), 10)
    assert len(subsample(rows, 10)) == 10 and subsample(rows, None) == rows


def test_fixture_file_groups_by_source_and_split() -> None:
    sets = {s.name: s for s in sets_from_file(FIXTURE)}
    assert sorted(sets) == ["constraint_covid19", "health_news", "wiki_claims"]
    for s in sets.values():
        assert len(s.fit) == 6 and len(s.eval) == 4
        assert {e.label for e in s.fit} == {0, 1} == {e.label for e in s.eval}


def test_the_cap_never_cuts_an_official_dev_split() -> None:
    rows = [Example(f"post {i}", i % 2, "s") for i in range(30)]
    official = EvalSet("c", [], rows, "official train / dev")
    halved = EvalSet("h", [], rows, "no official split: halves")
    out = deoverlap([official, halved], cap=10)
    assert len(out[0].eval) == 30 and len(out[1].eval) == 10
