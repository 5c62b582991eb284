"""`veracity claims match --input/--claims`: a TSV file that cannot be read is refused in one
line naming it and the problem, and the id column may be headed `id`, as the help says."""

from __future__ import annotations

from pathlib import Path

import pytest

from claims.match_cli import match_main
from claims.matching.evaluation import read_claims, read_queries
from core.errors import Invalid


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "is a folder, not a file"),
        (b"\ttweet_content\nq1\tcaf\xe9\n", "is not UTF-8 text (byte 21)"),
        (b"\xff\xfe\t\x00t\x00", "is not UTF-8 text (byte 0)"),
        (b"\ttext\nq1\thello\n", "header lacks column(s) tweet_content (has ['', 'text'])"),
        (b"query\ttweet_content\n", "header lacks column(s) id (has ['query', 'tweet_content'])"),
    ],
)
def test_a_queries_file_that_cannot_be_read_is_refused_by_name(
    tmp_path: Path, content: bytes | None, problem: str
) -> None:
    path = tmp_path / "queries.tsv"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(Invalid) as refused:
        read_queries(path)
    assert refused.value.message.startswith(str(path))
    assert problem in refused.value.message


def test_the_id_column_may_be_headed_id_or_left_empty_as_checkthat_does(tmp_path: Path) -> None:
    queries, claims = tmp_path / "queries.tsv", tmp_path / "claims.tsv"
    queries.write_text("id\ttweet_content\nq1\thello\n", encoding="utf-8")
    claims.write_text("\tvclaim\ttitle\nc1\tA claim.\tT\n", encoding="utf-8")
    assert [(q.id, q.text) for q in read_queries(queries)] == [("q1", "hello")]
    assert [(c.id, c.text, c.title) for c in read_claims(claims)] == [("c1", "A claim.", "T")]


@pytest.mark.parametrize(
    ("option", "problem"),
    [("--input", "is a folder, not a file"), ("--output", "is a folder, not a file")],
)
def test_claims_match_refuses_a_folder_for_a_file_before_loading_the_model(
    tmp_path: Path, option: str, problem: str
) -> None:
    files = {"--claims": tmp_path / "claims.tsv", "--input": tmp_path / "q.tsv"}
    files["--claims"].write_text("\tvclaim\nc1\tA claim.\n", encoding="utf-8")
    files["--input"].write_text("\ttweet_content\nq1\thello\n", encoding="utf-8")
    files["--output"] = tmp_path / "out.jsonl"
    files[option] = tmp_path / "folder"
    files[option].mkdir()
    with pytest.raises(Invalid, match=problem) as refused:
        match_main([arg for name, path in files.items() for arg in (name, str(path))])
    assert str(files[option]) in refused.value.message


@pytest.mark.parametrize("top", ["0", "-2", "1000"])
def test_claims_match_refuses_a_top_out_of_range_as_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], top: str
) -> None:
    """It was a bare SystemExit (exit 1, no usage line) for 0 and below, and no limit above."""
    from veracity_cli.main import main

    with pytest.raises(SystemExit) as refused:
        main(["claims", "match", "--input", "q.tsv", "--output", "o.jsonl", "--top", top])
    assert refused.value.code == 2
    assert "--top: must be 1 to 100" in capsys.readouterr().err
