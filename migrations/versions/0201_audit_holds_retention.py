"""audit: legal holds and the record of lawful retention deletions

Revision ID: 0201_audit
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from migrations import ddl

revision: str = "0201_audit"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("audit",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.create_table(
        "audit_legal_holds",
        ddl.id_column(),
        ddl.string("subject_type", 16),
        ddl.string("subject_id", 128),
        ddl.string("reason", 2000),
        ddl.string("set_by", 128),
        ddl.utc("set_at"),
        ddl.utc("released_at", nullable=True),
        ddl.string("released_by", 128, nullable=True),
    )
    ddl.create_index("audit_legal_holds", "subject", "subject_type", "subject_id")
    ddl.create_table(
        "audit_retention_deletions",
        ddl.column("id", sa.Integer(), autoincrement=True),
        ddl.string("run_id", 32),
        ddl.string("chain", 32),
        ddl.column("start_seq", sa.Integer()),
        ddl.column("end_seq", sa.Integer()),
        ddl.string("end_hash", 64),
        ddl.column("count", sa.Integer()),
        ddl.utc("deleted_at"),
    )
    ddl.create_index("audit_retention_deletions", "range", "chain", "start_seq")
    ddl.create_indexes("audit_retention_deletions", "run_id")


def downgrade() -> None:
    ddl.drop_table("audit_retention_deletions", "run_id", "range")
    ddl.drop_table("audit_legal_holds", "subject")
