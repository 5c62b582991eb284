"""statements: evidence, per-version approvals, publication state, deliveries

Revision ID: 0502_statements
Revises: 0501_claims
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0502_statements"
down_revision: str | Sequence[str] | None = "0501_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW_STATEMENT_COLUMNS = (
    "incident_id",
    "incident_severity",
    "requires_legal",
    "legal_approved_by",
    "approved_version",
    "legal_approved_version",
    "version",
    "sources",
    "evidence",
    "generator",
    "published_version",
    "published_at",
    "withdrawn_at",
    "withdrawn_reason",
)


def upgrade() -> None:
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("incident_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("incident_severity", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("requires_legal", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("legal_approved_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("approved_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("legal_approved_version", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.add_column(
            sa.Column("sources", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("evidence", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("generator", sa.String(length=64), nullable=False, server_default="offline")
        )
        batch_op.add_column(sa.Column("published_version", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("published_at", core.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("withdrawn_at", core.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("statement_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sources", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "statement_deliveries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("statement_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("created_at", core.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", core.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_statement_deliveries_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_deliveries")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_statement_deliveries_idempotency_key")
        ),
    )
    with op.batch_alter_table("statement_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statement_deliveries_statement_id"), ["statement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_statement_deliveries_status"), ["status"], unique=False
        )


def downgrade() -> None:
    op.drop_table("statement_deliveries")
    with op.batch_alter_table("statement_versions", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("sources")
    with op.batch_alter_table("statements", schema=None) as batch_op:
        for name in reversed(_NEW_STATEMENT_COLUMNS):
            batch_op.drop_column(name)
