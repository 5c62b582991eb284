"""audit: legal holds and the record of lawful retention deletions

Revision ID: 0201_audit
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0201_audit"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("audit",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_legal_holds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("set_by", sa.String(length=128), nullable=False),
        sa.Column("set_at", core.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("released_at", core.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_legal_holds")),
    )
    with op.batch_alter_table("audit_legal_holds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_legal_holds_subject", ["subject_type", "subject_id"], unique=False
        )
    op.create_table(
        "audit_retention_deletions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("chain", sa.String(length=32), nullable=False),
        sa.Column("start_seq", sa.Integer(), nullable=False),
        sa.Column("end_seq", sa.Integer(), nullable=False),
        sa.Column("end_hash", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("deleted_at", core.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_retention_deletions")),
    )
    with op.batch_alter_table("audit_retention_deletions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_retention_deletions_range", ["chain", "start_seq"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_retention_deletions_run_id"), ["run_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_retention_deletions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_retention_deletions_run_id"))
        batch_op.drop_index("ix_audit_retention_deletions_range")
    op.drop_table("audit_retention_deletions")
    with op.batch_alter_table("audit_legal_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_legal_holds_subject")
    op.drop_table("audit_legal_holds")
