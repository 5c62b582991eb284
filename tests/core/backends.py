"""A runtime on the embedded SQLite database or on a fresh, migrated PostgreSQL database, for
tests that run the same scenario on both (row locks and time columns differ between them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from classifier.reference import ReferenceClassifier
from core.migrate import upgrade
from runtime.container import Runtime, build_runtime
from tests.conftest import BACKENDS as BACKENDS  # where it is defined, for the params
from tests.conftest import make_settings, new_postgres_database


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


def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all (to migrate step by step), dropped afterwards."""
    if request.param != "postgres":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with new_postgres_database("vt_bk") as url:
        yield url
