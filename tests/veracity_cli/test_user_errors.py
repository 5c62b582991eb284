"""A user's mistake at the console ends in one line and rc 2, never a traceback or a bad row."""

from __future__ import annotations

import argparse
import json
import socket
from pathlib import Path

import pytest

from accounts.models import ApiKey, User
from claims import cli as claims_cli
from claims.schemas import ImportedClaim
from core.db import make_engine, make_session_factory, transaction
from veracity_cli.main import build_parser, main


def _rows(db: Path, model: type[ApiKey] | type[User]) -> int:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with transaction(make_session_factory(engine)) as session:
            return session.query(model).count()
    finally:
        engine.dispose()


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 2
    err = capsys.readouterr().err
    assert err.startswith("veracity: ")
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (("--name", ""), "name"),
        (("--name", "s" * 101), "name"),
        (("--name", "s", "--rate-limit", "-5"), "rate limit"),
        (("--name", "s", "--rate-limit", "99999999999999999999999"), "rate limit"),
    ],
)
def test_apikeys_create_refuses_an_empty_name_or_a_rate_limit_out_of_range(
    cli_db: Path, capsys: pytest.CaptureFixture[str], options: tuple[str, ...], named: str
) -> None:
    assert named in _refused(capsys, "apikeys", "create", *options)
    assert _rows(cli_db, ApiKey) == 0


@pytest.mark.parametrize("username", ["", "u" * 65])
def test_users_add_refuses_a_username_sign_in_would_refuse(
    cli_db: Path, capsys: pytest.CaptureFixture[str], username: str
) -> None:
    err = _refused(
        capsys, "users", "add", "--username", username, "--role", "pr", "--password", "x" * 12
    )
    assert "username must be 1 to 64 characters" in err
    assert _rows(cli_db, User) == 0


def test_a_bad_data_file_is_reported_as_its_field_not_as_bad_configuration(
    cli_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "claims.json"
    bad.write_text(json.dumps([{"origin_ref": "x1", "text": "A claim.", "verdict": "bogus"}]))
    err = _refused(capsys, "claims", "import", "--source", "fixture", "--path", str(bad))
    assert "configuration" not in err
    assert str(bad) in err and "verdict" in err


def test_a_drill_csv_with_no_posts_is_refused_before_anything_is_written(
    cli_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header_only = tmp_path / "wave.csv"
    header_only.write_text("id,text,label,views\n", encoding="utf-8")
    err = _refused(capsys, "drill", "--input", str(header_only), "--report", str(tmp_path / "r"))
    assert str(header_only) in err and "no posts" in err
    assert _rows(cli_db, ApiKey) == 0, "no drill key was made"
    assert not (tmp_path / "r").exists()


def test_a_validation_error_a_command_lets_out_is_one_line_not_bad_configuration(
    cli_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_source(source: str, path: Path | None) -> list[ImportedClaim]:
        return [ImportedClaim.model_validate({"origin": "x", "origin_ref": "1", "verdict": "no"})]

    monkeypatch.setattr(claims_cli, "read_source", read_source)
    err = _refused(capsys, "claims", "import", "--source", "fixture")
    assert "configuration" not in err
    assert err.startswith("veracity: invalid ImportedClaim: text: Field required")


def test_a_bad_setting_is_still_reported_as_configuration(
    cli_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT__RETENTION_DAYS", "-1")
    assert main(["apikeys", "list"]) == 2
    assert "bad configuration" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["score", "zh"])
def test_global_options_before_a_model_command_are_accepted(
    cli_db: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["-v", command, "--help"])
    assert exited.value.code == 0
    assert f"usage: veracity {command}" in capsys.readouterr().out


def test_verbose_before_checkworthiness_reaches_its_own_usage(
    cli_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--verbose", "checkworthiness"]) == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments" not in err
    assert "usage: veracity checkworthiness {train,evaluate,score}" in err


def _parser(*path: str) -> argparse.ArgumentParser:
    parser = build_parser()
    for name in path:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    return parser


def _help_of(option: str, *path: str) -> str:
    return next(a.help or "" for a in _parser(*path)._actions if option in a.option_strings)


def test_help_names_every_subcommand_scope_and_role() -> None:
    assert "convert|train|evaluate|checkworthiness-train" in _parser().format_help()
    assert "drill" in _help_of("--scopes", "apikeys", "create")
    roles = _help_of("--role", "users", "add")
    assert "senior_reviewer" in roles and "technical_response" in roles
    for option, command in (("--host", "serve"), ("--port", "serve"), ("--workers", "serve")):
        assert _help_of(option, command)
    assert _help_of("--port", "demo")


@pytest.mark.parametrize("port", ["0", "65536", "99999999"])
def test_demo_refuses_a_port_out_of_range_before_it_creates_anything(
    cli_db: Path, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["demo", "--port", port])
    assert exited.value.code == 2
    assert "--port" in capsys.readouterr().err
    assert not cli_db.exists()


def test_demo_on_a_port_in_use_ends_with_an_error_before_it_seeds(
    cli_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = _refused(capsys, "demo", "--port", str(port), "--posts", "0")
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert _rows(cli_db, ApiKey) == 0


def test_a_model_command_given_a_missing_input_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    absent = tmp_path / "absent.jsonl"
    rc = main(["score", "--input", str(absent), "--output", str(tmp_path / "out.jsonl")])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.strip() == f"veracity: {absent}: no such file"
    assert not (tmp_path / "out.jsonl").exists()
