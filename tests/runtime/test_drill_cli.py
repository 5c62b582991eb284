"""`veracity drill --report` that cannot be written is refused before the drill starts, not
after it has run (when the report, the drill's result, was lost to a traceback)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accounts.models import ApiKey
from core.errors import Invalid
from incidents.models import Incident
from runtime.container import Runtime
from veracity_cli.main import build_parser


@pytest.mark.parametrize(
    "drill", [["--input", "wave.csv", "--no-reviewers", "--no-statement"], ["--type", "outage"]]
)
@pytest.mark.parametrize(
    ("where", "problem"),
    [("folder", "is a folder, not a file"), ("wave.csv/report.html", "cannot be written")],
)
def test_a_report_path_it_cannot_write_is_refused_before_the_drill_starts(
    rt: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    drill: list[str],
    where: str,
    problem: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("wave.csv").write_text("id,text,label\nd1,a post,1\n", encoding="utf-8")
    Path("folder").mkdir()
    args = build_parser().parse_args(["drill", *drill, "--report", where])
    with pytest.raises(Invalid, match=problem) as refused:
        args.handler(rt, args)
    assert where in refused.value.message
    with rt.sessions() as session:
        assert session.query(ApiKey).count() == 0, "no drill key was made"
        assert session.query(Incident).count() == 0, "no drill incident was opened"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("notaurl", "--url must be an http:// or https:// address, not 'notaurl'"),
        ("http://127.0.0.1:1", "cannot reach http://127.0.0.1:1"),
    ],
)
def test_a_drill_against_a_url_it_cannot_use_ends_in_one_refusal(
    rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, problem: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("wave.csv").write_text("id,text,label\nd1,a post,1\n", encoding="utf-8")
    argv = ["drill", "--input", "wave.csv", "--url", url, "--api-key", "k", "--report", "r.html"]
    args = build_parser().parse_args(argv)
    with pytest.raises(Invalid) as refused:
        args.handler(rt, args)
    assert problem in refused.value.message


def test_skip_given_with_a_wave_is_refused_not_ignored(
    rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("wave.csv").write_text("id,text,label\nd1,a post,1\n", encoding="utf-8")
    argv = ["drill", "--input", "wave.csv", "--skip", "contain", "--report", "r.html"]
    args = build_parser().parse_args(argv)
    with pytest.raises(Invalid, match="--skip leaves a task of --type's chain undone"):
        args.handler(rt, args)
    with rt.sessions() as session:
        assert session.query(ApiKey).count() == 0, "no drill key was made"


@pytest.mark.parametrize(
    ("drill", "said"),
    [
        ([], "give --type TYPE (the plan's chain) or --input POSTS.csv"),
        (["--input", "wave.csv", "--type", "outage"], "--input replays a misinformation wave"),
    ],
)
def test_a_drill_asked_for_two_things_or_none_is_refused_like_any_other_bad_input(
    rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drill: list[str], said: str
) -> None:
    """These ended as a bare SystemExit: exit 1 and no "veracity:" in front, unlike every other
    refusal of the console (an `Invalid` is one line with it, and exit 2)."""
    monkeypatch.chdir(tmp_path)
    Path("wave.csv").write_text("id,text,label\nd1,a post,1\n", encoding="utf-8")
    args = build_parser().parse_args(["drill", *drill])
    with pytest.raises(Invalid, match=re.escape(said)):
        args.handler(rt, args)
    with rt.sessions() as session:
        assert session.query(Incident).count() == 0, "no drill ran"
