"""The `veracity` command on a fresh embedded database, as a newcomer runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _veracity(db: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    """Run `veracity ARGS` on the SQLite file `db`, with none of the caller's service or
    secret settings (so the defaults a newcomer gets apply)."""
    prefixes = ("DATABASE__", "REDIS__", "ELASTICSEARCH__", "SECURITY__")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(DATABASE__URL=f"sqlite:///{db}", **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "veracity_cli.main", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_apikeys_create_on_a_fresh_folder_prints_the_key_alone_on_the_last_line(
    tmp_path: Path,
) -> None:
    db = tmp_path / "not-yet" / "there" / "veracity.db"
    done = _veracity(db, "apikeys", "create", "--name", "svc", "--scopes", "score,read")
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("vk_")
    assert " " not in last
    listed = _veracity(db, "apikeys", "list")
    assert "svc" in listed.stdout
    assert "read,score" in listed.stdout


def test_unknown_scope_is_refused_with_a_reason(tmp_path: Path) -> None:
    done = _veracity(
        tmp_path / "v.db", "apikeys", "create", "--name", "svc", "--scopes", "score,everything"
    )
    assert done.returncode != 0
    assert done.returncode == 2
    assert "scopes must be" in done.stderr
    assert "Traceback" not in done.stderr


def test_production_refuses_the_default_secret(tmp_path: Path) -> None:
    done = _veracity(tmp_path / "v.db", "apikeys", "list", ENVIRONMENT="production")
    assert done.returncode == 2
    assert "SECURITY__SECRET_KEY" in done.stderr
