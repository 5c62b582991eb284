"""statement versions: one row per (statement_id, number)

Revision ID: 0505_statement_version_numbers
Revises: 0504_claims_ui_and_dsa
Create Date: 2026-11-30 16:00:00

Two edits of one statement at once could both save version N+1 on PostgreSQL (the statement's
row was not locked), leaving two statement_versions rows with one number. Before the unique
key is added, each statement with such rows has its versions renumbered 1..n in saved order:
of the rows sharing a number, the one the statement went on from (its current text, for the
current number; else the last saved) takes the later place, so it stays the version the
numbers after it were made from. The statement's version, approved, legal-approved and
published numbers and its deliveries' versions follow the row they named. The action log
keeps the numbers it recorded at the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0505_statement_version_numbers"
down_revision: str | Sequence[str] | None = "0504_claims_ui_and_dsa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "uq_statement_versions_statement_number"
NUMBERED = ("version", "approved_version", "legal_approved_version", "published_version")
STATEMENTS = sa.table("statements", *(sa.column(c) for c in ("id", "title", "body", *NUMBERED)))
VERSIONS = sa.table(
    "statement_versions",
    *(sa.column(c) for c in ("id", "statement_id", "number", "title", "body", "created_at")),
)
DELIVERIES = sa.table("statement_deliveries", sa.column("statement_id"), sa.column("version"))


def upgrade() -> None:
    conn = op.get_bind()
    doubled = conn.execute(
        sa.select(VERSIONS.c.statement_id)
        .group_by(VERSIONS.c.statement_id, VERSIONS.c.number)
        .having(sa.func.count() > 1)
        .distinct()
    ).scalars()
    for statement_id in list(doubled):
        _renumber(conn, statement_id)
    with op.batch_alter_table("statement_versions") as batch:
        batch.create_unique_constraint(NAME, ["statement_id", "number"])


def downgrade() -> None:
    with op.batch_alter_table("statement_versions") as batch:
        batch.drop_constraint(NAME, type_="unique")


def _renumber(conn: sa.Connection, statement_id: str) -> None:
    statement = (
        conn.execute(sa.select(STATEMENTS).where(STATEMENTS.c.id == statement_id)).one()._mapping
    )
    rows = conn.execute(sa.select(VERSIONS).where(VERSIONS.c.statement_id == statement_id)).all()

    def place(row: Any) -> tuple[int, bool, str, str]:
        current = row.number == statement["version"] and (row.title, row.body) == (
            statement["title"],
            statement["body"],
        )
        return (row.number, current, str(row.created_at), row.id)

    new_of_old: dict[int, int] = {}
    for new, row in enumerate(sorted(rows, key=place), start=1):
        new_of_old[row.number] = new  # the last of a shared number is the one that stays
        conn.execute(sa.update(VERSIONS).where(VERSIONS.c.id == row.id).values(number=new))
    moved = {col: new_of_old[statement[col]] for col in NUMBERED if statement[col] in new_of_old}
    if moved:
        conn.execute(sa.update(STATEMENTS).where(STATEMENTS.c.id == statement_id).values(**moved))
    # Deliveries in two steps (through negative numbers), so no row is moved twice.
    mine = DELIVERIES.c.statement_id == statement_id
    for old, new in new_of_old.items():
        conn.execute(
            sa.update(DELIVERIES).where(mine, DELIVERIES.c.version == old).values(version=-new)
        )
    conn.execute(
        sa.update(DELIVERIES)
        .where(mine, DELIVERIES.c.version < 0)
        .values(version=-DELIVERIES.c.version)
    )
