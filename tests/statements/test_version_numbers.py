"""Each version number of a statement is stored once: the database refuses a second row with
the same number, and migration 0505 renumbers what concurrent edits had saved twice."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import IntegrityError

from core.db import transaction
from core.migrate import alembic_config, upgrade
from runtime.container import Runtime
from statements.models import StatementVersion
from tests.core.backends import execute_sql
from tests.statements.helpers import draft_counter_statement, false_claim

REVISION, BEFORE = "0505_statement_version_numbers", "0504_claims_ui_and_dsa"
AT = "2026-11-0{} 10:00:00+00:00"


def test_a_second_row_with_a_statements_version_number_is_refused(any_rt: Runtime) -> None:
    claim_id = false_claim(any_rt).id
    with transaction(any_rt.sessions) as session:
        sid = draft_counter_statement(session, claim_id).id
    with pytest.raises(IntegrityError), transaction(any_rt.sessions) as session:
        session.add(
            StatementVersion(statement_id=sid, number=1, title="t", body="b", edited_by="pr")
        )
    with any_rt.sessions() as session:
        count = sa.select(sa.func.count()).where(StatementVersion.statement_id == sid)
        assert session.scalar(count) == 1


def _statement(url: str, sid: str, body: str, version: int, published: int | None) -> None:
    execute_sql(
        url,
        "INSERT INTO statements (id, kind, channel, status, title, body, created_by,"
        " requires_legal, version, approved_version, published_version, sources, evidence,"
        " generator, created_at, updated_at) VALUES (:sid, 'counter_statement', 'web',"
        " 'draft', 't', :body, 'pr', false, :version, :version, :published, '[]', '{}',"
        " 'offline', :at, :at)",
        sid=sid,
        body=body,
        version=version,
        published=published,
        at=AT.format(1),
    )


def _versions(url: str, sid: str, *rows: tuple[int, str, int, str]) -> None:
    """Rows of (number, edited_by, day saved, body)."""
    for number, by, day, body in rows:
        execute_sql(
            url,
            "INSERT INTO statement_versions (id, statement_id, number, title, body, edited_by,"
            " sources, note, created_at) VALUES (:id, :sid, :number, 't', :body, :by, '[]', '',"
            " :at)",
            id=f"{sid}-{by}-{number}",
            sid=sid,
            number=number,
            body=body,
            by=by,
            at=AT.format(day),
        )


def _numbers(engine: sa.Engine, sid: str) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        query = "SELECT number, edited_by FROM statement_versions WHERE statement_id = :sid"
        return sorted((n, by) for n, by in conn.execute(sa.text(query), {"sid": sid}))


def _named(engine: sa.Engine, sid: str) -> tuple[object, ...]:
    query = "SELECT version, approved_version, published_version FROM statements WHERE id = :s"
    with engine.connect() as conn:
        return tuple(conn.execute(sa.text(query), {"s": sid}).one())


def test_0505_renumbers_doubled_versions_and_what_named_them(empty_url: str) -> None:
    """s1 saved 2 twice and went on to 3: the later-saved 2 (pr2's) is the one edited on and
    takes 3, the old 3 takes 4; the statement's numbers and its delivery follow. s2's doubled
    number is its current one: the row holding the statement's text (pr2's, saved first) is
    the current version, the other keeps its place before it. s3 has no doubles and is left
    as it is."""
    upgrade(empty_url, BEFORE)
    _statement(empty_url, "s1", "three", version=3, published=2)
    _versions(
        empty_url,
        "s1",
        (1, "pr", 1, "one"),
        (2, "pr3", 2, "two by pr3"),
        (2, "pr2", 3, "two by pr2"),
        (3, "pr", 4, "three"),
    )
    execute_sql(
        empty_url,
        "INSERT INTO statement_deliveries (id, statement_id, channel, event, version, status,"
        " idempotency_key, attempts, created_at) VALUES ('d1', 's1', 'webhook', 'publish', 2,"
        " 'delivered', 'k1', 1, :at)",
        at=AT.format(3),
    )
    _statement(empty_url, "s2", "two by pr2", version=2, published=None)
    _versions(empty_url, "s2", (1, "pr", 1, "one"), (2, "pr2", 2, "two by pr2"))
    _versions(empty_url, "s2", (2, "pr3", 3, "two by pr3"))
    _statement(empty_url, "s3", "two", version=2, published=None)
    _versions(empty_url, "s3", (1, "pr", 1, "one"), (2, "pr2", 2, "two"))

    upgrade(empty_url, REVISION)
    engine = sa.create_engine(empty_url)
    try:
        assert _numbers(engine, "s1") == [(1, "pr"), (2, "pr3"), (3, "pr2"), (4, "pr")]
        assert _named(engine, "s1") == (4, 4, 3)
        with engine.connect() as conn:
            delivery = "SELECT version FROM statement_deliveries"
            assert conn.execute(sa.text(delivery)).scalar_one() == 3
        assert _numbers(engine, "s2") == [(1, "pr"), (2, "pr3"), (3, "pr2")]
        assert _named(engine, "s2") == (3, 3, None)
        assert _numbers(engine, "s3") == [(1, "pr"), (2, "pr2")]
        assert _named(engine, "s3") == (2, 2, None)
    finally:
        engine.dispose()
    command.downgrade(alembic_config(empty_url), BEFORE)
    upgrade(empty_url)
