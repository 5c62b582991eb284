"""Migration 0102 (users.language) up, down and up on SQLite and PostgreSQL: the downgrade drops
the preferences, and after it every user is back to NULL (the browser's language decides)."""

from __future__ import annotations

from alembic import command

from core.migrate import alembic_config, upgrade
from tests.core.backends import column_names, execute_sql, sql_value


def test_migration_0102_goes_up_down_and_up_again(empty_url: str) -> None:
    upgrade(empty_url)
    assert "language" in column_names(empty_url, "users")
    execute_sql(
        empty_url,
        "INSERT INTO users (id, username, password_hash, role, active, "
        "failed_logins, token_generation, created_at, language) VALUES "
        "('u1', 'li', 'x', 'reviewer', true, 0, 0, CURRENT_TIMESTAMP, 'zh')",
    )
    command.downgrade(alembic_config(empty_url), "0101_accounts")
    assert "language" not in column_names(empty_url, "users")
    upgrade(empty_url)
    assert "language" in column_names(empty_url, "users")
    assert sql_value(empty_url, "SELECT language FROM users") is None
