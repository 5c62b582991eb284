"""Several processes starting together migrate the database once, and none of them fails."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from core.migrate import alembic_config
from tests.conftest import new_postgres_database

REPO = Path(__file__).resolve().parents[2]
PROCESSES = 4
# Each process imports everything first, then waits for the same go-file, so the upgrades
# start within milliseconds of each other rather than one import time apart.
RACER = """
import sys, time
from pathlib import Path
from core.migrate import upgrade
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
upgrade(sys.argv[1])
"""


def _race(url: str, tmp_path: Path) -> list[subprocess.CompletedProcess[bytes]]:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, url, str(go)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(PROCESSES)
    ]
    time.sleep(1.0)  # most of the import time; stragglers only join a little later
    go.touch()
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=240)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out))
    return results


def _assert_migrated_once(url: str, results: list[subprocess.CompletedProcess[bytes]]) -> None:
    failures = [r.stdout.decode(errors="replace")[-2000:] for r in results if r.returncode]
    assert failures == []
    script = ScriptDirectory.from_config(alembic_config(url))
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = [r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()
    assert len(rows) == len(set(rows))  # no head recorded twice
    # Every head is applied: recorded itself, or implied by a recorded revision that depends on
    # it (alembic keeps no row for a branch head another branch's migration depends_on).
    applied = {r.revision for r in script.iterate_revisions(tuple(rows), "base") if r is not None}
    assert set(script.get_heads()) <= applied
    assert set(rows) <= set(script.get_heads())  # nothing but heads, none half-way


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A fresh PostgreSQL database with no schema at all (postgres_url comes migrated)."""
    with new_postgres_database("vt_mig") as url:
        yield url


@pytest.mark.services
def test_four_processes_upgrading_one_fresh_postgres_all_succeed_and_it_migrates_once(
    empty_postgres: str, tmp_path: Path
) -> None:
    _assert_migrated_once(empty_postgres, _race(empty_postgres, tmp_path))


def test_four_processes_upgrading_one_fresh_sqlite_file_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db' / 'veracity.db'}"
    _assert_migrated_once(url, _race(url, tmp_path))
