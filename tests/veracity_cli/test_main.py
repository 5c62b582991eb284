"""The `veracity` command on a fresh embedded database, as a newcomer runs it; `--version`."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from tests.veracity_cli.helpers import run_cli


def test_apikeys_create_on_a_fresh_folder_prints_the_key_alone_on_the_last_line(
    tmp_path: Path,
) -> None:
    db = tmp_path / "not-yet" / "there" / "veracity.db"
    done = run_cli(db, "apikeys", "create", "--name", "svc", "--scopes", "score,read")
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("vk_")
    assert " " not in last
    listed = run_cli(db, "apikeys", "list")
    assert "svc" in listed.stdout
    assert "read,score" in listed.stdout


def test_unknown_scope_is_refused_with_a_reason(tmp_path: Path) -> None:
    done = run_cli(
        tmp_path / "v.db", "apikeys", "create", "--name", "svc", "--scopes", "score,everything"
    )
    assert done.returncode != 0
    assert done.returncode == 2
    assert "scopes must be" in done.stderr
    assert "Traceback" not in done.stderr


def test_production_refuses_the_default_secret(tmp_path: Path) -> None:
    done = run_cli(tmp_path / "v.db", "apikeys", "list", ENVIRONMENT="production")
    assert done.returncode == 2
    assert "SECURITY__SECRET_KEY" in done.stderr


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    done = run_cli(tmp_path / "v.db", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"veracity {version('veracity')}"
