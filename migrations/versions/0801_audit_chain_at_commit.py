"""action log: an event's seq and hash are assigned as its transaction commits

Revision ID: 0801_audit_chain_at_commit
Revises: 0702_reviewer_console
Create Date: 2026-11-30 00:30:00

Inside the writing transaction an event row exists before it is chained (audit.service), so
the two columns accept NULL; every committed row still has both.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0801_audit_chain_at_commit"
down_revision: str | Sequence[str] | None = "0702_reviewer_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
