"""Migration 0504 (claims.retired_at/updated_at, decisions.public_facts/legal_ground,
statements.first_published_at) goes up, down and up again on SQLite and PostgreSQL, and an
already published statement keeps its first publication date."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from core.migrate import alembic_config, upgrade
from tests.core.backends import BACKENDS, empty_database

REVISION, BEFORE = "0504_claims_ui_and_dsa", "0503_statement_delivery_backoff"
ADDED = {
    "claims": {"retired_at", "retired_reason", "updated_at"},
    "decisions": {"public_facts", "legal_ground"},
    "statements": {"first_published_at"},
}


def _columns(url: str, table: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return {c["name"] for c in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from empty_database(request, tmp_path)


def test_0504_goes_up_down_and_up_keeping_the_publication_date(url: str) -> None:
    upgrade(url, "0301_pipeline")  # decisions
    upgrade(url, BEFORE)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO statements (id, kind, channel, status, title, body, created_by,"
                    " requires_legal, version, sources, evidence, generator, published_version,"
                    " published_at, created_at, updated_at) VALUES ('s1', 'counter_statement',"
                    " 'web', 'published', 't', 'b', 'pr', false, 1, '[]', '{}', 'offline', 1,"
                    " :at, :at, :at)"
                ),
                {"at": "2026-11-01 10:00:00+00:00"},
            )
        upgrade(url, REVISION)
        for table, added in ADDED.items():
            assert added <= _columns(url, table), table
        with engine.connect() as conn:
            first = conn.execute(sa.text("SELECT first_published_at FROM statements")).scalar()
        assert first is not None and "2026-11-01" in str(first)
        command.downgrade(alembic_config(url), BEFORE)
        for table, added in ADDED.items():
            assert not added & _columns(url, table), table
        upgrade(url)
        for table, added in ADDED.items():
            assert added <= _columns(url, table), table
    finally:
        engine.dispose()
