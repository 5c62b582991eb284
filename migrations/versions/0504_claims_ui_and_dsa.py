"""claims.retired_at (a retired claim stays for the record but is no longer matched) and
decisions.public_facts / decisions.legal_ground (the DSA statement of reasons' facts, apart from
the internal note, and the law an illegal post breaks, recorded at decision time); claims.updated_at so an
edit refits the matcher; statements.first_published_at (the public page's "Published" date,
while published_at moves with each correction sent out)

Existing claims stay live; existing decisions have no public facts (the statement of reasons
then derives them from the reason code) and no legal ground (not found illegal).

Revision ID: 0504_claims_ui_and_dsa
Revises: 0503_statement_delivery_backoff
Create Date: 2026-11-29 16:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0504_claims_ui_and_dsa"
down_revision: str | Sequence[str] | None = "0503_statement_delivery_backoff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.add_column(
            sa.Column("retired_at", core.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("retired_reason", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("updated_at", core.types.UtcDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("statements") as batch:
        batch.add_column(
            sa.Column("first_published_at", core.types.UtcDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE statements SET first_published_at = published_at")
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("public_facts", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("legal_ground", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("legal_ground")
        batch.drop_column("public_facts")
    with op.batch_alter_table("statements") as batch:
        batch.drop_column("first_published_at")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("retired_reason")
        batch.drop_column("retired_at")
