"""`veracity audit …` in the embedded default: export with a manifest, verify, holds, retention."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from audit.events import Action, Subject
from audit.models import AuditEvent
from audit.retention import apply
from audit.service import record
from core.actors import Actor, ActorType
from core.db import make_engine, make_session_factory, transaction
from core.errors import Invalid
from core.migrate import upgrade
from core.settings import get_settings
from tests.audit.factories import add_case
from veracity_cli.main import main


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE__URL", url)
    monkeypatch.setenv("USE_REFERENCE_CLASSIFIER", "true")
    get_settings.cache_clear()
    upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        for i in range(25):
            record(
                session,
                Action.CASE_DECIDED,
                Actor("rita", ActorType.HUMAN, ("reviewer",)),
                Subject(post_id=f"p{i}", case_id=f"c{i}"),
                reason="false_claim: forged quote",
                after={"action": "remove"},
            )
    engine.dispose()
    yield url
    get_settings.cache_clear()


def test_export_writes_the_file_and_a_manifest_that_proves_it(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "log.csv"
    code = main(
        [
            "audit",
            "--operator",
            "lena",
            "export",
            "--format",
            "csv",
            "--out",
            str(out),
            "--action",
            "case.decided",
            "--quiet",
        ]
    )
    assert code == 0
    manifest = json.loads((tmp_path / "log.csv.manifest.json").read_text())
    assert manifest["count"] == 25
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["generated_by"] == "cli:lena"
    assert len(out.read_text().splitlines()) == 26


def test_verify_holds_retention_and_dsa_from_the_command_line(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify"]) == 0
    assert "chain intact" in capsys.readouterr().out
    engine = make_engine(db_url)
    with transaction(make_session_factory(engine)) as session:
        add_case(session, "c3")
    engine.dispose()
    assert main(["audit", "hold", "--type", "case", "c3", "--reason", "subpoena"]) == 0
    assert main(["audit", "hold", "--type", "case", "c3", "--reason", "again"]) == 2
    assert "already on hold" in capsys.readouterr().err
    assert main(["audit", "hold", "--type", "post", "p-typo", "--reason", "subpoena"]) == 2
    assert capsys.readouterr().err == "veracity: no post p-typo to hold\n"
    assert main(["audit", "hold"]) == 0
    assert [line.split()[1:3] for line in capsys.readouterr().out.splitlines()] == [["case", "c3"]]
    assert main(["audit", "retention", "--days", "1"]) == 0
    assert "would remove 0 events" in capsys.readouterr().out
    assert main(["audit", "dsa", "--out", str(tmp_path / "sor")]) == 0
    batches = sorted((tmp_path / "sor").glob("statements-*.json"))
    assert len(batches) == 1
    assert len(json.loads(batches[0].read_text())["statements"]) == 25
    assert main(["audit", "search", "--action", "bogus.action"]) == 2


def test_lag_on_the_embedded_default_says_nothing_is_shipped(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """No Elasticsearch: the database is the log, so 25 events are not 25 waiting to ship."""
    assert main(["audit", "lag"]) == 0
    out = capsys.readouterr().out
    assert "kept in the database" in out and "nothing is shipped" in out
    assert "unshipped" not in out


def test_an_anchor_file_is_written_and_checked_by_verify(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "anchor.json"
    assert main(["audit", "anchor", "--out", str(path)]) == 0
    assert "keep it outside the system" in capsys.readouterr().out
    assert main(["audit", "verify", "--anchor", str(path)]) == 0
    assert "still has the anchored hash" in capsys.readouterr().out
    forged = json.loads(path.read_text())
    forged["hash"] = "f" * 64
    path.write_text(json.dumps(forged))
    assert main(["audit", "verify", "--anchor", str(path)]) == 1
    assert "signature does not match" in capsys.readouterr().out
    path.write_text("not json")
    assert main(["audit", "verify", "--anchor", str(path)]) == 2
    assert "not a readable anchor" in capsys.readouterr().err


def _events(url: str) -> int:
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            return session.query(AuditEvent).count()
    finally:
        engine.dispose()


@pytest.mark.parametrize("days", ["-5", "0", "99999999999999999999"])
def test_retention_refuses_days_that_would_empty_the_log_and_deletes_nothing(
    db_url: str, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    before = _events(db_url)
    with pytest.raises(SystemExit) as exited:
        main(["audit", "retention", "--days", days, "--apply"])
    assert exited.value.code == 2
    assert "--days: must be 1 to 36500" in capsys.readouterr().err
    assert _events(db_url) == before


@pytest.mark.parametrize("days", [-5, 0, 10**20])
def test_retention_itself_refuses_a_cutoff_that_is_not_in_the_past(db_url: str, days: int) -> None:
    engine = make_engine(db_url)
    before = _events(db_url)
    with pytest.raises(Invalid, match="retention must be 1 to 36500 days"):
        apply(make_session_factory(engine), None, days, Actor("lena", ActorType.HUMAN, ()))
    engine.dispose()
    assert _events(db_url) == before


@pytest.mark.parametrize(
    ("command", "out"),
    [
        ("export", "missing-folder/x.ndjson"),
        ("export", "."),  # a directory
        ("dsa", "taken.txt"),  # an existing file
        ("anchor", "missing-folder/anchor.json"),
    ],
)
def test_an_output_path_that_cannot_be_written_is_one_line(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    out: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken.txt").write_text("mine")
    assert main(["audit", command, "--out", out]) == 2
    err = capsys.readouterr().err
    assert err.startswith("veracity: ") and out in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert (tmp_path / "taken.txt").read_text() == "mine"


def test_a_bad_time_or_action_is_refused_naming_its_option(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "search", "--since", "last tuesday"]) == 2
    assert capsys.readouterr().err.startswith(
        "veracity: --since must be an ISO time with a timezone"
    )
    assert main(["audit", "search", "--until", "2026-13-01T00:00:00Z"]) == 2
    assert "--until must be an ISO time" in capsys.readouterr().err
    assert main(["audit", "search", "--action", "case.eaten"]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("veracity: --action 'case.eaten' is not an action") and "case.decided" in err
    )


def test_an_export_whose_manifest_cannot_be_written_is_refused_before_it_starts(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events.ndjson"
    (tmp_path / "events.ndjson.manifest.json").mkdir()  # where the manifest would go
    before = _events(db_url)
    assert main(["audit", "export", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "events.ndjson.manifest.json is a folder" in err
    assert not out.exists()
    assert _events(db_url) == before  # no export was started, so none was logged


def test_statements_of_reasons_are_not_mixed_with_an_earlier_run(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "sor"
    assert main(["audit", "dsa", "--out", str(folder)]) == 0
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert first, "the first run wrote its batches"
    capsys.readouterr()
    assert main(["audit", "dsa", "--out", str(folder)]) == 2
    assert "already holds statements of reasons" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first


def test_search_refuses_a_size_out_of_range_and_a_time_without_timezone(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["audit", "search", "--size", "99999999999999999999"])
    assert exited.value.code == 2
    assert "--size: must be 1 to 500" in capsys.readouterr().err
    assert main(["audit", "search", "--since", "2026-01-01T00:00:00"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("veracity: bad search filter: ")
    assert "times need a timezone" in err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--type", "case"], "hold --type case needs the SUBJECT_ID to hold"),
        (["--type", "post", "--reason", "subpoena"], "hold --type post needs the SUBJECT_ID"),
        (["--reason", "subpoena"], "hold --reason needs the SUBJECT_ID to hold"),
        (["c3", "--release", "h1", "--reason", "done"], "either a SUBJECT_ID to hold or --release"),
        (["", "--reason", "subpoena"], "a legal hold needs the id of what it holds"),
    ],
    ids=["type-alone", "type-and-reason", "reason-alone", "subject-and-release", "empty-id"],
)
def test_a_hold_command_missing_its_subject_is_an_error_and_holds_nothing(
    db_url: str, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert main(["audit", "hold", *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("veracity: ") and said in captured.err, captured.err
    assert captured.out == ""
    assert main(["audit", "hold"]) == 0
    assert capsys.readouterr().out == "", "no hold was set"


def test_searches_and_statements_from_the_command_line_are_logged(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As through the API and the legal desk: who searched the log, for what, and what it
    found; who took statements of reasons out of it."""
    assert main(["audit", "--operator", "lena", "search", "--post", "p3"]) == 0
    assert "1 events match" in capsys.readouterr().out
    assert main(["audit", "--operator", "lena", "dsa", "--out", str(tmp_path / "sor")]) == 0
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        searched = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.LOG_SEARCHED)
        ).one()
        statements = session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.DSA_STATEMENTS_EXPORTED)
        ).one()
    engine.dispose()
    assert (searched.actor_name, searched.post_id) == ("cli:lena", "p3")
    after: Any = searched.document["veracity"]["after"]  # type: ignore[index]
    assert after == {"filters": {"post_id": "p3"}, "total": 1, "via": "cli"}
    assert statements.actor_name == "cli:lena"
    assert statements.document["veracity"]["after"]["statements"] == 25  # type: ignore[index]
