"""core.user_files: a file a person named is read or refused with what is wrong and where."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.errors import Invalid
from core.user_files import output_file, read_json, read_json_lines, read_text


def test_absent_folder_and_undecodable_files_are_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="no such file") as absent:
        read_text(tmp_path / "absent.csv")
    assert str(tmp_path / "absent.csv") in absent.value.message
    with pytest.raises(Invalid, match="is a folder, not a file"):
        read_text(tmp_path)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(b"caf\xe9")
    with pytest.raises(Invalid, match=r"is not UTF-8 text \(byte 3\)"):
        read_text(latin1)
    assert read_text(latin1, errors="replace") == "caf\ufffd"


def test_json_is_refused_at_the_line_it_stops_parsing(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{\n  "a": 1,\n  "b": \n}', encoding="utf-8")
    with pytest.raises(Invalid, match="not valid JSON at line 4"):
        read_json(path)


def test_json_lines_give_line_numbers_and_refuse_what_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": 1}\n\n{"id": 2}\n', encoding="utf-8")
    assert list(read_json_lines(path)) == [(1, {"id": 1}), (3, {"id": 2})]
    path.write_text('{"id": 1}\n[1, 2, 3]\n', encoding="utf-8")
    with pytest.raises(Invalid, match="line 2 is not a JSON object"):
        list(read_json_lines(path))
    path.write_text('{"id": 1}\n{"id": \n', encoding="utf-8")
    with pytest.raises(Invalid, match="not valid JSON at line 2"):
        list(read_json_lines(path))


def test_an_output_file_that_is_a_database_is_not_overwritten(tmp_path: Path) -> None:
    database = tmp_path / "veracity.db"
    with sqlite3.connect(database) as connection:
        connection.execute("create table kept (x)")
    with pytest.raises(Invalid, match="is an SQLite database"):
        output_file(database)
    ordinary = tmp_path / "labels.jsonl"
    ordinary.write_text("{}\n", encoding="utf-8")
    assert output_file(ordinary) == ordinary  # an earlier export is replaced, as asked


def test_an_output_file_that_is_one_of_the_inputs_is_not_overwritten(tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    posts.write_text('{"id": "1", "text": "hello"}\n', encoding="utf-8")
    with pytest.raises(Invalid, match="is also an input of this command") as refused:
        output_file(tmp_path / "." / "posts.jsonl", inputs=[tmp_path / "other.tsv", posts])
    assert str(tmp_path / "." / "posts.jsonl") in refused.value.message
    assert output_file(tmp_path / "rows.jsonl", inputs=[posts]) == tmp_path / "rows.jsonl"


def _fail_half_way(path: Path) -> None:
    from core.user_files import replaced

    with replaced(path) as out:
        out.write("half of this week's\n")
        raise RuntimeError("the query failed")


def test_a_replaced_file_changes_only_once_it_is_complete(tmp_path: Path) -> None:
    from core.user_files import replaced

    path = tmp_path / "labels.jsonl"
    path.write_text("last week's export\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        _fail_half_way(path)
    assert path.read_text(encoding="utf-8") == "last week's export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.jsonl"]  # no part file left
    with replaced(path) as out:
        out.write("this week's export\n")
    assert path.read_text(encoding="utf-8") == "this week's export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.jsonl"]


def test_an_export_whose_query_fails_keeps_the_earlier_export(tmp_path: Path) -> None:
    """export-labels used to truncate --out before its query ran: a failed run lost the file."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from pipeline.labels import export_labels

    out = tmp_path / "labels.jsonl"
    out.write_text('{"text": "kept", "label": 1}\n', encoding="utf-8")
    no_tables = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # a database not migrated
    with Session(no_tables) as session, pytest.raises(OperationalError, match="no such table"):
        export_labels(session, out)
    assert out.read_text(encoding="utf-8") == '{"text": "kept", "label": 1}\n'
