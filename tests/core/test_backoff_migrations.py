"""Migrations 0503 and 0602 add next_attempt_at (nullable: existing rows are due at once) and
a due index to statement_deliveries and incident_notifications, and take them out again, on
SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from core.migrate import alembic_config, upgrade
from tests.core.backends import BACKENDS, empty_database

TABLES = {
    # table: (the revision adding the column, the one before it, the due index)
    "statement_deliveries": (
        "0503_statement_delivery_backoff",
        "0502_statements",
        "ix_statement_deliveries_due",
    ),
    "incident_notifications": (
        "0602_notification_backoff",
        "0601_incidents",
        "ix_incident_notifications_due",
    ),
}


def _schema(url: str, table: str) -> tuple[dict[str, bool], set[str]]:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        columns = {c["name"]: bool(c["nullable"]) for c in inspector.get_columns(table)}
        indexes = {str(i["name"]) for i in inspector.get_indexes(table)}
        return columns, indexes
    finally:
        engine.dispose()


def _applied(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from empty_database(request, tmp_path)


def test_the_backoff_columns_go_up_down_and_up_again(url: str) -> None:
    for revision in (rev for rev, _, _ in TABLES.values()):
        upgrade(url, revision)  # this branch up to the revision, no further
    for table, (revision, _, index) in TABLES.items():
        columns, indexes = _schema(url, table)
        assert columns["next_attempt_at"] is True and index in indexes, table
        assert revision in _applied(url)
    for table, (revision, before, index) in TABLES.items():
        command.downgrade(alembic_config(url), before)
        columns, indexes = _schema(url, table)
        assert "next_attempt_at" not in columns and index not in indexes, table
        assert revision not in _applied(url) and before in _applied(url)
    upgrade(url)  # and on to every head, past later revisions built on these
    for table, (_, _, index) in TABLES.items():
        columns, indexes = _schema(url, table)
        assert columns["next_attempt_at"] is True and index in indexes, table
