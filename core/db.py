"""Database engine and sessions. SQLite by default, PostgreSQL when `DATABASE__URL` says so."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

from sqlalchemy import MetaData, String, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker

from core.errors import NotFound

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_Row = TypeVar("_Row")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def new_id() -> str:
    """A fresh primary key: 32 hex characters (the models' `String(32)` ids)."""
    return uuid.uuid4().hex


# Most tables' primary key: `id: Mapped[NewId]`.
NewId = Annotated[str, mapped_column(String(32), primary_key=True, default=new_id)]


def get_or_not_found(
    session: Session, model: type[_Row], key: object, missing: str, *, for_update: bool = False
) -> _Row:
    """The row `model` has under primary key `key` (locked with `for_update`); NotFound with the
    message `missing` when there is none."""
    row = session.get(model, key, with_for_update=for_update)
    if row is None:
        raise NotFound(missing)
    return row


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        ensure_sqlite_dir(url)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def ensure_sqlite_dir(url: str) -> None:
    """SQLite creates the file but not its folder (e.g. var/ on a fresh clone)."""
    if not url.startswith("sqlite"):
        return
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
    # SQLite's own lower() changes only A-Z; PostgreSQL's and Python's every script, so a
    # case-insensitive search (lower(column) LIKE a lowered word) finds "ÉTÉ" on both.
    dbapi_conn.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: Any) -> Any:
    # "İ" lowers to "i" as in PostgreSQL (and Elasticsearch), not to Python's "i" + U+0307.
    return value.replace("İ", "i").lower() if isinstance(value, str) else value


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    """Take SQLite's write lock at BEGIN: read-then-write transactions then queue up instead of
    failing with 'database is locked' when they try to upgrade their lock."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def lock_for_transaction(session: Session, namespace: str, key: str) -> None:
    """Serialise one kind of work on one key until the transaction ends.

    A PostgreSQL advisory lock, not a row lock: it is only ever taken first, so it cannot join
    a cycle with the row locks other transactions take (every logged write locks the action
    log's chain head, then often a post). SQLite needs none: its writers hold the database
    from BEGIN IMMEDIATE on.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"{namespace}:{key}"},
    )
