"""audit: legal holds and the record of lawful retention deletions

Revision ID: 0201_audit
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import (
    column,
    create_indexes,
    create_table,
    drop_table,
    id_column,
    string,
    utc,
)

revision: str = "0201_audit"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("audit",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "audit_legal_holds",
        id_column(),
        string("subject_type", 16),
        string("subject_id", 128),
        string("reason", 2000),
        string("set_by", 128),
        utc("set_at"),
        utc("released_at", nullable=True),
        string("released_by", 128, nullable=True),
    )
    op.create_index(
        "ix_audit_legal_holds_subject",
        "audit_legal_holds",
        ["subject_type", "subject_id"],
        unique=False,
    )
    create_table(
        "audit_retention_deletions",
        column("id", sa.Integer(), autoincrement=True),
        string("run_id", 32),
        string("chain", 32),
        column("start_seq", sa.Integer()),
        column("end_seq", sa.Integer()),
        string("end_hash", 64),
        column("count", sa.Integer()),
        utc("deleted_at"),
    )
    op.create_index(
        "ix_audit_retention_deletions_range",
        "audit_retention_deletions",
        ["chain", "start_seq"],
        unique=False,
    )
    create_indexes("audit_retention_deletions", "run_id")


def downgrade() -> None:
    drop_table("audit_retention_deletions", "run_id", named=["ix_audit_retention_deletions_range"])
    drop_table("audit_legal_holds", named=["ix_audit_legal_holds_subject"])
