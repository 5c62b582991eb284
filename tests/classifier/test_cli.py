"""`veracity score` and `veracity evaluate` end to end on the shipped model (via classifier.cli)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.cli import evaluate_main, main, score_main
from core.errors import Invalid
from veracity_cli.main import main as veracity_main

POSTS = [
    ("a1", "Drinking hot water every 15 minutes kills the virus, share with everyone!!"),
    (
        "a2",
        "The health ministry reports 312 new cases today, testing continues. #IndiaFightsCorona",
    ),
    ("a3", "Вакцина содержит микрочипы"),
]


def _read(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_score_csv_writes_one_line_per_post(tmp_path: Path, shipped_dir: Path) -> None:
    src = tmp_path / "posts.csv"
    lines = ["id,text", *(f'{i},"{t}"' for i, t in POSTS)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "scores.jsonl"
    assert score_main(["--input", str(src), "--output", str(out)]) == 0
    rows = _read(out)
    assert [r["id"] for r in rows] == ["a1", "a2", "a3"]
    version = json.loads((shipped_dir / "metadata.json").read_text())["model_version"]
    for r in rows:
        assert set(r) >= {"id", "score", "band", "model_version"}
        assert 0.0 <= float(r["score"]) <= 1.0  # type: ignore[arg-type]
        assert r["band"] in {"ignore", "review", "urgent"}
        assert r["model_version"] == version
    assert float(rows[0]["score"]) > float(rows[1]["score"])  # type: ignore[arg-type]
    assert rows[2]["flags"] == ["out_of_distribution"]


def test_score_jsonl_with_invalid_utf8_and_empty_text(tmp_path: Path) -> None:
    src = tmp_path / "posts.jsonl"
    good = json.dumps({"id": "ok", "text": "Garlic cures covid 🧄"}).encode()
    bad = b'{"id": "bytes", "text": "caf\xe9 \xff\xfe masks work"}'
    empty = json.dumps({"id": "empty", "text": "   "}).encode()
    src.write_bytes(b"\n".join([good, bad, empty]) + b"\n")
    out = tmp_path / "scores.jsonl"
    assert main(["score", "--input", str(src), "--output", str(out), "--explain"]) == 0
    ok, decoded, refused = _read(out)
    assert ok["reasons"]
    assert 0.0 <= float(decoded["score"]) <= 1.0  # type: ignore[arg-type]
    assert refused["score"] is None
    assert "EmptyTextError" in str(refused["error"])


def test_score_requires_a_text_column_before_it_touches_the_output(tmp_path: Path) -> None:
    src, out = tmp_path / "posts.jsonl", tmp_path / "o.jsonl"
    src.write_text('{"id": "1", "text": "hello"}\n', encoding="utf-8")
    assert score_main(["--input", str(src), "--output", str(out)]) == 0
    before = out.read_bytes()
    src.write_text('{"id": "1", "text": "hello"}\n{"id": "2"}\n', encoding="utf-8")
    with pytest.raises(Invalid, match=f"{src}: row 2 has no 'text'"):
        score_main(["--input", str(src), "--output", str(out)])
    assert out.read_bytes() == before, "the earlier scores were kept"


@pytest.mark.parametrize(("name", "content"), [("h.csv", "id,text\n"), ("e.jsonl", "\n\n")])
def test_score_refuses_a_file_with_no_posts_instead_of_scoring_none(
    tmp_path: Path, name: str, content: str
) -> None:
    """It said "scored 0 posts" and exit 0: a header-only export looked like a quiet day."""
    src, out = tmp_path / name, tmp_path / "o.jsonl"
    src.write_text(content, encoding="utf-8")
    with pytest.raises(Invalid, match="no posts"):
        score_main(["--input", str(src), "--output", str(out)])
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "problem"), [("--output", "is a folder, not a file"), ("--model-dir", "no model")]
)
def test_score_refuses_an_output_folder_or_a_model_dir_without_a_model_by_name(
    tmp_path: Path, option: str, problem: str
) -> None:
    src, folder = tmp_path / "posts.csv", tmp_path / "folder"
    src.write_text("id,text\n1,hello\n", encoding="utf-8")
    folder.mkdir()
    args = {"--input": str(src), "--output": str(tmp_path / "o.jsonl"), option: str(folder)}
    with pytest.raises(Invalid, match=problem) as refused:
        score_main([arg for pair in args.items() for arg in pair])
    assert str(folder) in refused.value.message


def test_evaluate_writes_html_json_and_plots(tmp_path: Path) -> None:
    src = tmp_path / "labelled.csv"
    rows = [
        ("Bill Gates microchips in vaccines, they don't want you to know", "fake"),
        ("Drinking bleach cures coronavirus, share before it's deleted!!", "fake"),
        ("5G towers spread COVID-19, the truth is being hidden", "1"),
        ("Ministry of Health: 1,204 new confirmed cases, 87 recovered. #IndiaFightsCorona", "real"),
        ("CDC reports 25,340 new cases today; testing capacity expanded in 12 states", "0"),
        ("WHO guidance: wash hands and keep distance to reduce transmission", "real"),
        ("unverified rumour about lockdown dates", "U"),
    ]
    src.write_text("text,label\n" + "".join(f'"{t}",{lab}\n' for t, lab in rows), encoding="utf-8")
    out = tmp_path / "report"
    assert evaluate_main(["--input", str(src), "--output-dir", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["skipped_rows"] == 1
    m = report["metrics"]["all"]
    assert m["n"] == 6
    for key in ("accuracy", "weighted_f1", "roc_auc", "pr_auc", "ece", "confusion_matrix"):
        assert key in m
    assert sum(map(sum, m["confusion_matrix"]["rows_actual_cols_predicted"])) == 6
    for png in ("reliability.png", "roc.png", "pr.png", "score_hist.png"):
        assert (out / png).read_bytes()[:4] == b"\x89PNG"
    html = (out / "report.html").read_text()
    assert "weighted F1" in html and "roc.png" in html


@pytest.mark.parametrize(
    ("content", "option", "problem"),
    [
        ('{"text": "no label here"}\n', None, "no rows with text and a usable label"),
        ('{"text": "Masks work", "label": 0}\n', "--output-dir", "is a file, not a folder"),
        ('{"text": "Masks work", "label": 0}\n', "--model-dir", "has no model"),
    ],
)
def test_evaluate_refuses_a_file_it_cannot_use_in_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    option: str | None,
    problem: str,
) -> None:
    src = tmp_path / "labelled.jsonl"
    src.write_text(content, encoding="utf-8")
    taken = {"--output-dir": tmp_path / "a-file", "--model-dir": tmp_path / "empty"}
    taken["--output-dir"].write_text("kept\n", encoding="utf-8")
    taken["--model-dir"].mkdir()
    args = ["--input", str(src), "--output-dir", str(tmp_path / "out")]
    if option is not None:
        args += [option, str(taken[option])]
    assert veracity_main(["evaluate", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("veracity: ") and problem in err
    assert len(err.strip().splitlines()) == 1, err
    assert taken["--output-dir"].read_text(encoding="utf-8") == "kept\n"


def test_score_refuses_an_output_that_is_its_input(tmp_path: Path) -> None:
    src = tmp_path / "posts.jsonl"
    src.write_text('{"id": "1", "text": "hello"}\n', encoding="utf-8")
    with pytest.raises(Invalid, match="is also an input"):
        score_main(["--input", str(src), "--output", str(src)])
    assert src.read_text(encoding="utf-8") == '{"id": "1", "text": "hello"}\n'
