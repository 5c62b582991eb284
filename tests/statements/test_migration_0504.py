"""Migration 0504 (claims.retired_at/updated_at, decisions.public_facts/legal_ground,
statements.first_published_at) goes up, down and up again on SQLite and PostgreSQL, and an
already published statement keeps its first publication date."""

from __future__ import annotations

from alembic import command

from core.migrate import alembic_config, upgrade
from tests.core.backends import column_names, execute_sql, sql_value

REVISION, BEFORE = "0504_claims_ui_and_dsa", "0503_statement_delivery_backoff"
ADDED = {
    "claims": {"retired_at", "retired_reason", "updated_at"},
    "decisions": {"public_facts", "legal_ground"},
    "statements": {"first_published_at"},
}


def test_0504_goes_up_down_and_up_keeping_the_publication_date(empty_url: str) -> None:
    upgrade(empty_url, "0301_pipeline")  # decisions
    upgrade(empty_url, BEFORE)
    execute_sql(
        empty_url,
        "INSERT INTO statements (id, kind, channel, status, title, body, created_by,"
        " requires_legal, version, sources, evidence, generator, published_version,"
        " published_at, created_at, updated_at) VALUES ('s1', 'counter_statement',"
        " 'web', 'published', 't', 'b', 'pr', false, 1, '[]', '{}', 'offline', 1,"
        " :at, :at, :at)",
        at="2026-11-01 10:00:00+00:00",
    )
    upgrade(empty_url, REVISION)
    for table, added in ADDED.items():
        assert added <= column_names(empty_url, table), table
    first = sql_value(empty_url, "SELECT first_published_at FROM statements")
    assert first is not None and "2026-11-01" in str(first)
    command.downgrade(alembic_config(empty_url), BEFORE)
    for table, added in ADDED.items():
        assert not added & column_names(empty_url, table), table
    upgrade(empty_url)
    for table, added in ADDED.items():
        assert added <= column_names(empty_url, table), table
