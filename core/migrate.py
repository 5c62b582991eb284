"""Running Alembic migrations programmatically (for the CLI, the demo and tests).

Every `veracity` process upgrades on start, so replicas starting together would race (two
`CREATE TABLE`s, one fails). `upgrade` therefore holds a lock around Alembic: a PostgreSQL
advisory lock on a fixed key (released by the server if the holder dies), or, for SQLite,
an exclusive `flock` on a file beside the database (SQLite's own locking is not enough: both
processes read the old version before either writes, and the second then fails). The first
process migrates; the others wait, then find the schema at head and do nothing.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, make_url, pool, text

from core.db import ensure_sqlite_dir
from core.settings import REPO_ROOT

# pg_advisory_lock's bigint key: b"veracity" read as a signed 64-bit integer. Fixed, so
# every version of every process contends for the same lock.
MIGRATION_LOCK_KEY = int.from_bytes(b"veracity", "big", signed=True)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    ensure_sqlite_dir(url)
    with migration_lock(url):
        command.upgrade(alembic_config(url), revision)


@contextmanager
def migration_lock(url: str) -> Iterator[None]:
    backend = make_url(url).get_backend_name()
    if backend == "postgresql":
        with _advisory_lock(url):
            yield
    elif backend == "sqlite" and (database := make_url(url).database) not in (None, "", ":memory:"):
        with open(f"{database}.migrate-lock", "a") as handle:  # never deleted: flock needs it
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes (or we die)
            yield
    else:  # an in-memory database belongs to one process
        yield


@contextmanager
def _advisory_lock(url: str) -> Iterator[None]:
    """Session-level advisory lock on a connection of its own, held while Alembic runs."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()  # no transaction left open (idle) while we wait for Alembic
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                conn.commit()
    finally:
        engine.dispose()
