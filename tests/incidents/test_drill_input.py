"""`veracity drill` and `incidents scan` refuse what a person got wrong as `Invalid` (the console
prints one line, exit 2) before anything runs: an unreadable --input, an unknown --skip task, a
negative --every, a CSV with no posts."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from core.errors import Invalid
from incidents.cli import incidents_scan
from incidents.drill import DrillPost, read_posts, with_prefix
from incidents.drill_types import run_type_drill
from incidents.types import IncidentType
from runtime.container import Runtime


def test_an_unreadable_drill_csv_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="no such file"):
        read_posts(tmp_path / "absent.csv")
    with pytest.raises(Invalid, match="is a folder, not a file"):
        read_posts(tmp_path)
    latin1 = tmp_path / "posts.csv"
    latin1.write_bytes(b"id,text,label\np1,caf\xe9,1\n")
    with pytest.raises(Invalid, match="is not UTF-8 text"):
        read_posts(latin1)


def test_a_drill_csv_with_only_its_header_row_is_refused(tmp_path: Path) -> None:
    header_only = tmp_path / "posts.csv"
    header_only.write_text("id,text,label\n", encoding="utf-8")
    with pytest.raises(Invalid, match="no posts") as refused:
        read_posts(header_only)
    assert str(header_only) in refused.value.message


def test_a_chain_drill_refuses_an_unknown_task_naming_the_known_ones(rt: Runtime) -> None:
    with pytest.raises(Invalid, match="bogus_task") as refused:
        run_type_drill(rt, IncidentType.OUTAGE, skip={"bogus_task"})
    assert "user_notice" in refused.value.message  # one of the outage plan's tasks
    with rt.sessions() as session:
        from incidents.models import Incident

        assert session.query(Incident).count() == 0  # refused before the drill began


def test_scan_refuses_a_negative_interval_before_the_first_round(rt: Runtime) -> None:
    args = argparse.Namespace(no_claims=True, every=-1.0)
    with pytest.raises(Invalid, match="--every"):
        incidents_scan(rt, args)


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ("p1,a post,true\n", "line 2: label must be 1 (part of the wave) or 0 (background)"),
        ("p1,a post,1\np2,another,yes\n", "line 3: label must be 1"),
        ("p1,a post,\n", "line 2: label must be 1"),
        ("p1,a post,1\np1,again,0\n", "line 3: id 'p1' is already used on line 2"),
        (",a post,1\n", "line 2: id: String should have at least 1 character"),
        ("p 1,a post,1\n", "line 2: id: String should match pattern"),
        ("p1," + "x" * 100_000 + ",1\n", "line 2: text: String should have at most"),
        ("p1,a \x00 post,1\n", "line 2: text contains a NUL character"),
    ],
)
def test_a_drill_csv_row_the_drill_would_misread_or_the_api_refuse_is_refused_by_line(
    tmp_path: Path, rows: str, problem: str
) -> None:
    wave = tmp_path / "posts.csv"
    wave.write_text("id,text,label\n" + rows, encoding="utf-8")
    with pytest.raises(Invalid) as refused:
        read_posts(wave)
    assert refused.value.message.startswith(f"{wave}: ") and problem in refused.value.message


@pytest.mark.parametrize("every", [float("nan"), float("inf")])
def test_scan_refuses_an_interval_that_is_not_a_number_of_seconds(
    rt: Runtime, every: float
) -> None:
    args = argparse.Namespace(no_claims=True, every=every)
    with pytest.raises(Invalid, match="--every must be 0"):
        incidents_scan(rt, args)


@pytest.mark.parametrize(("prefix", "problem"), [("run 2-", "pattern"), ("r" * 130, "at most")])
def test_an_id_prefix_that_makes_ids_the_api_refuses_is_refused_before_the_drill(
    prefix: str, problem: str
) -> None:
    posts = [DrillPost("p1", "a post", True)]
    with pytest.raises(Invalid, match="--id-prefix") as refused:
        with_prefix(posts, prefix)
    assert problem in refused.value.message
    assert with_prefix(posts, "run2-")[0].id == "run2-p1"
