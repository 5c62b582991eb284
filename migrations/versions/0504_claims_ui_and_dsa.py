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

from migrations import ddl

revision: str = "0504_claims_ui_and_dsa"
down_revision: str | Sequence[str] | None = "0503_statement_delivery_backoff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.add_columns(
        "claims",
        ddl.utc("retired_at", nullable=True),
        ddl.column("retired_reason", sa.Text(), nullable=True),
        ddl.utc("updated_at", nullable=True),
    )
    ddl.add_columns("statements", ddl.utc("first_published_at", nullable=True))
    op.execute("UPDATE statements SET first_published_at = published_at")
    ddl.add_columns(
        "decisions",
        ddl.column("public_facts", sa.Text(), server_default=""),
        ddl.string("legal_ground", 500, nullable=True),
    )


def downgrade() -> None:
    ddl.drop_columns("decisions", "legal_ground", "public_facts")
    ddl.drop_columns("statements", "first_published_at")
    ddl.drop_columns("claims", "updated_at", "retired_reason", "retired_at")
