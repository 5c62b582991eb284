"""The model commands' input files: a file a person named that cannot be read is refused as
`Invalid` naming it and the problem, and `veracity checkworthiness` prints that as one line
(exit 2); its --help lists the subcommands."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.io import read_posts, read_records
from classifier.training.datasets import load_constraint, load_liar
from core.errors import Invalid
from veracity_cli.main import main


def test_an_absent_or_folder_input_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="no such file"):
        list(read_posts(tmp_path / "missing.jsonl"))
    with pytest.raises(Invalid, match="is a folder, not a file"):
        list(read_records(tmp_path))


def test_a_broken_json_line_is_refused_at_its_number(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": 1, "text": "fine"}\n{"id": 2, "text": \n', encoding="utf-8")
    with pytest.raises(Invalid, match="not valid JSON at line 2"):
        list(read_posts(path))


def test_bad_bytes_inside_a_post_are_still_scored_as_replacement_characters(
    tmp_path: Path,
) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(b'{"id": "1", "text": "caf\xe9"}\n')
    assert list(read_posts(path)) == [("1", "caf\ufffd")]


def test_a_missing_datasets_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match=r"datasets folder .* does not exist"):
        load_constraint(tmp_path / "nonexistent", "train")
    (tmp_path / "liar").mkdir()
    with pytest.raises(Invalid, match=r"has no liar/train\.tsv"):
        load_liar(tmp_path, "train")


def test_checkworthiness_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("--help", "-h"):
        assert main(["checkworthiness", flag]) == 0
        out = capsys.readouterr().out
        assert "train" in out and "evaluate" in out and "score" in out


def test_checkworthiness_prints_one_line_for_a_missing_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.csv"
    args = ["checkworthiness", "score", "--input", str(missing), "--output", str(tmp_path / "o")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err == f"veracity: {missing}: no such file\n"
