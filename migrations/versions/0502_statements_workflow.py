"""statements: evidence, per-version approvals, publication state, deliveries

Revision ID: 0502_statements
Revises: 0501_claims
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import ddl

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
    ddl.add_columns(
        "statements",
        ddl.string("incident_id", 32, nullable=True),
        ddl.string("incident_severity", 16, nullable=True),
        ddl.column("requires_legal", sa.Boolean(), server_default=sa.false()),
        ddl.string("legal_approved_by", 64, nullable=True),
        ddl.column("approved_version", sa.Integer(), nullable=True),
        ddl.column("legal_approved_version", sa.Integer(), nullable=True),
        ddl.column("version", sa.Integer(), server_default=sa.text("1")),
        ddl.column("sources", sa.JSON(), server_default=sa.text("'[]'")),
        ddl.column("evidence", sa.JSON(), server_default=sa.text("'{}'")),
        ddl.string("generator", 64, server_default="offline"),
        ddl.column("published_version", sa.Integer(), nullable=True),
        ddl.utc("published_at", nullable=True),
        ddl.utc("withdrawn_at", nullable=True),
        ddl.column("withdrawn_reason", sa.Text(), nullable=True),
    )
    ddl.add_columns(
        "statement_versions",
        ddl.column("sources", sa.JSON(), server_default=sa.text("'[]'")),
        ddl.column("note", sa.Text(), server_default=""),
    )
    ddl.create_table(
        "statement_deliveries",
        ddl.id_column(),
        ddl.string("statement_id", 32),
        ddl.string("channel", 32),
        ddl.string("event", 16),
        ddl.column("version", sa.Integer()),
        ddl.string("status", 16),
        ddl.string("idempotency_key", 64),
        ddl.column("attempts", sa.Integer()),
        ddl.column("last_error", sa.Text(), nullable=True),
        ddl.string("reference", 200, nullable=True),
        ddl.utc("created_at"),
        ddl.utc("delivered_at", nullable=True),
        ddl.foreign_key("statement_deliveries", "statement_id", "statements"),
        unique=("idempotency_key",),
    )
    ddl.create_indexes("statement_deliveries", "statement_id", "status")


def downgrade() -> None:
    op.drop_table("statement_deliveries")
    ddl.drop_columns("statement_versions", "note", "sources")
    ddl.drop_columns("statements", *reversed(_NEW_STATEMENT_COLUMNS))
