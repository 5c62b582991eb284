"""The `veracity` command in a subprocess, as a newcomer runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import child_env

REPO = Path(__file__).resolve().parents[2]


def run_cli(db: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    """Run `veracity ARGS` on the SQLite file `db`, with none of the caller's service or
    secret settings (so the defaults a newcomer gets apply)."""
    env = child_env(
        drop=("DATABASE__", "REDIS__", "ELASTICSEARCH__", "SECURITY__"),
        DATABASE__URL=f"sqlite:///{db}",
        **env_extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "veracity_cli.main", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
