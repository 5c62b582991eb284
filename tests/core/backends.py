"""A runtime on the embedded SQLite database or on a fresh, migrated PostgreSQL database, for
tests that run the same scenario on both (row locks and time columns differ between them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from classifier.reference import ReferenceClassifier
from core.migrate import upgrade
from runtime.container import Runtime, build_runtime
from tests.conftest import BACKENDS as BACKENDS  # where it is defined, for the params
from tests.conftest import make_settings


def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))  # migrated already
    url = f"sqlite:///{tmp_path / 'veracity.db'}"
    upgrade(url)
    return url


def runtime_on(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    runtime = build_runtime(
        make_settings(database_url(request, tmp_path)), classifier=ReferenceClassifier()
    )
    yield runtime
    runtime.engine.dispose()


@contextmanager
def engine_at(url: str) -> Iterator[sa.Engine]:
    """An engine on `url` for a look at the schema or a raw statement, disposed afterwards."""
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    with engine_at(url) as engine:
        return set(sa.inspect(engine).get_table_names())


def column_names(url: str, table: str) -> set[str]:
    with engine_at(url) as engine:
        return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def execute_sql(url: str, statement: str, **params: object) -> None:
    with engine_at(url) as engine, engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def sql_value(url: str, query: str) -> object:
    """The one value the query selects (there must be exactly one row)."""
    with engine_at(url) as engine, engine.connect() as conn:
        return conn.execute(sa.text(query)).scalar_one()
