"""`veracity triage-rates --input` and `export-labels --since` refuse what a person got wrong as
`Invalid` naming the problem (the console prints one line, exit 2), never a traceback."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from core.errors import Invalid
from pipeline import triage_rates
from pipeline.cli import run_export
from pipeline.triage_rates import read_posts
from runtime.container import Runtime


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "no such file"),
        (b'{"id": "1", "text": "caf\xe9"}\n', "is not UTF-8 text"),
        (b'{"id": "1", "text": "hello"}\n{"id": "2", "text": \n', "not valid JSON at line 2"),
        (b"[1, 2, 3]\n", "line 1 is not a JSON object"),
        (b'{"id": "1"}\n', "line 1: text"),
        (b'{"id": "1", "text": ""}\n', "line 1: text"),
    ],
)
def test_a_bad_posts_file_is_refused(tmp_path: Path, content: bytes | None, problem: str) -> None:
    path = tmp_path / "posts.jsonl"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(Invalid, match=problem):
        read_posts(path)


def test_a_folder_is_not_a_posts_file(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="is a folder, not a file"):
        read_posts(tmp_path)


@pytest.mark.parametrize("since", ["garbage", "2026-11-01T00:00:00"])
def test_export_labels_refuses_a_since_that_is_not_an_aware_iso_time(
    rt: Runtime, tmp_path: Path, since: str
) -> None:
    out = tmp_path / "labels.jsonl"
    args = argparse.Namespace(out=str(out), source="human", since=since, include_drills=False)
    with pytest.raises(Invalid, match="--since"):
        run_export(rt, args)
    assert not out.exists()


@pytest.mark.parametrize("content", [b"", b"\n  \n"])
def test_a_posts_file_with_no_posts_is_refused_not_rated(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(content)
    with pytest.raises(Invalid, match="no posts") as refused:
        read_posts(path)
    assert str(path) in refused.value.message


def _triage_args(tmp_path: Path, **options: Path | None) -> argparse.Namespace:
    posts = tmp_path / "posts.jsonl"
    posts.write_text('{"id": "1", "text": "Drinking bleach cures COVID-19"}\n', encoding="utf-8")
    return argparse.Namespace(
        **{"input": posts, "model_dir": None, "policy": None, "per_post": None, **options}
    )


def test_triage_rates_refuses_a_model_dir_with_no_model_by_name(tmp_path: Path) -> None:
    missing = tmp_path / "no-model"
    with pytest.raises(Invalid, match="no model") as refused:
        triage_rates.run(_triage_args(tmp_path, model_dir=missing))
    assert str(missing) in refused.value.message


@pytest.mark.parametrize("where", ["folder", "no-folder/per_post.jsonl"])
def test_triage_rates_refuses_a_per_post_file_it_cannot_write(tmp_path: Path, where: str) -> None:
    (tmp_path / "folder").mkdir()
    per_post = tmp_path / where
    with pytest.raises(Invalid, match="folder") as refused:
        triage_rates.run(_triage_args(tmp_path, per_post=per_post))
    assert str(per_post) in refused.value.message


@pytest.mark.parametrize("where", ["folder", "no-folder/labels.jsonl"])
def test_export_labels_refuses_an_out_file_it_cannot_write(
    rt: Runtime, tmp_path: Path, where: str
) -> None:
    (tmp_path / "folder").mkdir()
    out = tmp_path / where
    args = argparse.Namespace(out=str(out), source="human", since=None, include_drills=False)
    with pytest.raises(Invalid, match="folder") as refused:
        run_export(rt, args)
    assert str(out) in refused.value.message


def test_export_labels_refuses_to_write_over_the_database_it_reads(rt: Runtime) -> None:
    database = Path(rt.settings.database.url.removeprefix("sqlite:///"))
    size = database.stat().st_size
    args = argparse.Namespace(out=str(database), source="human", since=None, include_drills=False)
    with pytest.raises(Invalid, match="is an SQLite database") as refused:
        run_export(rt, args)
    assert str(database) in refused.value.message
    assert database.stat().st_size == size, "the database was not truncated"


def test_triage_rates_refuses_a_per_post_file_that_is_its_input(tmp_path: Path) -> None:
    args = _triage_args(tmp_path)
    before = args.input.read_bytes()
    args.per_post = args.input
    with pytest.raises(Invalid, match="is also an input"):
        triage_rates.run(args)
    assert args.input.read_bytes() == before
