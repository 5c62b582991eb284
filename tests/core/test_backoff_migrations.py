"""Migrations 0503 and 0602 add next_attempt_at (nullable: existing rows are due at once) and
a due index to statement_deliveries and incident_notifications, and take them out again, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from core.migrate import alembic_config, upgrade
from tests.core.backends import engine_at

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
    with engine_at(url) as engine:
        inspector = sa.inspect(engine)
        columns = {c["name"]: bool(c["nullable"]) for c in inspector.get_columns(table)}
        indexes = {str(i["name"]) for i in inspector.get_indexes(table)}
        return columns, indexes


def _applied(url: str) -> set[str]:
    with engine_at(url) as engine, engine.connect() as conn:
        return {r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}


def test_the_backoff_columns_go_up_down_and_up_again(empty_url: str) -> None:
    for revision in (rev for rev, _, _ in TABLES.values()):
        upgrade(empty_url, revision)  # this branch up to the revision, no further
    for table, (revision, _, index) in TABLES.items():
        columns, indexes = _schema(empty_url, table)
        assert columns["next_attempt_at"] is True and index in indexes, table
        assert revision in _applied(empty_url)
    for table, (revision, before, index) in TABLES.items():
        command.downgrade(alembic_config(empty_url), before)
        columns, indexes = _schema(empty_url, table)
        assert "next_attempt_at" not in columns and index not in indexes, table
        assert revision not in _applied(empty_url) and before in _applied(empty_url)
    upgrade(empty_url)  # and on to every head, past later revisions built on these
    for table, (_, _, index) in TABLES.items():
        columns, indexes = _schema(empty_url, table)
        assert columns["next_attempt_at"] is True and index in indexes, table
