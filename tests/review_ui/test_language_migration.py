"""Migration 0102 (users.language) up, down and up on SQLite and PostgreSQL: the downgrade drops
the preferences, and after it every user is back to NULL (the browser's language decides)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from core.migrate import alembic_config, upgrade
from tests.core.backends import BACKENDS, empty_database


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from empty_database(request, tmp_path)


def _columns(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return {c["name"] for c in sa.inspect(engine).get_columns("users")}
    finally:
        engine.dispose()


def test_migration_0102_goes_up_down_and_up_again(url: str) -> None:
    upgrade(url)
    assert "language" in _columns(url)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, username, password_hash, role, active, "
                    "failed_logins, token_generation, created_at, language) VALUES "
                    "('u1', 'li', 'x', 'reviewer', true, 0, 0, CURRENT_TIMESTAMP, 'zh')"
                )
            )
        command.downgrade(alembic_config(url), "0101_accounts")
        assert "language" not in _columns(url)
        upgrade(url)
        assert "language" in _columns(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT language FROM users")).scalar_one() is None
    finally:
        engine.dispose()
