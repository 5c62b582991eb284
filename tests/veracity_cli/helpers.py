"""The `veracity` command in a subprocess, as a newcomer runs it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import child_env, run_python


def run_cli(db: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    """Run `veracity ARGS` on the SQLite file `db`, with none of the caller's service or
    secret settings (so the defaults a newcomer gets apply)."""
    env = child_env(
        drop=("DATABASE__", "REDIS__", "ELASTICSEARCH__", "SECURITY__"),
        DATABASE__URL=f"sqlite:///{db}",
        **env_extra,
    )
    return run_python("-m", "veracity_cli.main", *args, env=env)
