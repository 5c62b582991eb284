"""`veracity checkworthiness evaluate|score` on small files made here, with the shipped head."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.checkworthiness import load_checkworthiness
from veracity_cli.main import main


def test_unknown_subcommand_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checkworthiness"]) == 2
    assert "train,evaluate,score" in capsys.readouterr().err


def test_evaluate_reports_f1_on_a_labelled_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"text": "The unemployment rate fell to 3.5% in 2019", "label": 1},
        {"text": "5G towers spread the coronavirus", "label": 1},
        {"text": "good morning everyone", "label": 0},
        {"text": "Our bakery opens at 8am", "label": 0},
    ]
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["checkworthiness", "evaluate", "--input", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    # The report is the head's own scores at its threshold (short conspiracy claims such as the
    # 5G one can fall below it: the claim library covers those).
    head = load_checkworthiness()
    passed = [s >= head.threshold for s in head.score([str(r["text"]) for r in rows])]
    assert passed[0] and not passed[2] and not passed[3]
    hits = sum(p and r["label"] == 1 for p, r in zip(passed, rows, strict=True))
    expected_f1 = 2 * hits / (sum(passed) + 2)
    assert report["n"] == 4 and report["f1"] == pytest.approx(expected_f1, abs=1e-4)
    assert report["f1"] > 0.5


def test_score_writes_one_line_per_post(tmp_path: Path) -> None:
    src = tmp_path / "posts.csv"
    src.write_text(
        "id,text\na,5G towers spread the coronavirus\nb,\nc,happy birthday mom\n", encoding="utf-8"
    )
    out = tmp_path / "scores.jsonl"
    assert main(["checkworthiness", "score", "--input", str(src), "--output", str(out)]) == 0
    scored = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in scored] == ["a", "b", "c"]
    assert scored[1]["checkworthiness"] == 0.0
    assert scored[0]["checkworthiness"] > scored[2]["checkworthiness"]


@pytest.mark.parametrize(
    ("option", "problem"),
    [("--output", "is a folder, not a file"), ("--model-dir", "no check-worthiness model")],
)
def test_score_refuses_an_output_folder_or_a_model_dir_without_a_head_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, problem: str
) -> None:
    posts, folder = tmp_path / "posts.jsonl", tmp_path / "folder"
    posts.write_text('{"id": "1", "text": "5G towers spread the coronavirus"}\n')
    folder.mkdir()
    args = {"--input": str(posts), "--output": str(tmp_path / "o.jsonl"), option: str(folder)}
    assert main(["checkworthiness", "score", *[a for pair in args.items() for a in pair]]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"veracity: {folder}") and problem in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("label", ["yes", ""])
def test_evaluate_refuses_a_label_that_is_not_0_or_1_by_its_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], label: str
) -> None:
    path = tmp_path / "labelled.csv"
    path.write_text(f"text,label\nA claim,1\nAnother,{label}\n", encoding="utf-8")
    assert main(["checkworthiness", "evaluate", "--input", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"veracity: {path}: row 2: label must be 1 or 0, not '{label}'"


def test_train_names_a_datasets_folder_that_is_missing_or_lacks_a_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing"
    args = ["checkworthiness", "train", "--model-dir", str(tmp_path / "m")]
    assert main([*args, "--data-dir", str(missing)]) == 2
    assert f"the datasets folder {missing} does not exist" in capsys.readouterr().err
    assert main([*args, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"the datasets folder {tmp_path} has no claimbuster/" in err
    assert len(err.strip().splitlines()) == 1, err
