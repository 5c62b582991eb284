"""pipeline review queue, policies, undo

Revision ID: 0301_pipeline
Revises: 0001
Create Date: 2026-11-25 11:09:01.272344
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import ddl

revision: str = "0301_pipeline"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("pipeline",)
depends_on: str | Sequence[str] | None = None

WAITING = "status IN ('open', 'awaiting_second', 'escalated')"


def upgrade() -> None:
    ddl.create_table(
        "routing_policies",
        ddl.column("version", sa.Integer(), autoincrement=False),
        ddl.column("body", sa.JSON()),
        ddl.string("author", 64),
        ddl.column("note", sa.Text()),
        ddl.utc("created_at"),
        key=("version",),
    )
    ddl.add_columns("decisions", ddl.string("claim_id", 64, nullable=True))
    ddl.create_indexes("decisions", "claim_id")
    ddl.add_columns(
        "enforcement_actions",
        ddl.string("undoes_id", 32, nullable=True),
        ddl.utc("next_attempt_at", nullable=True),
    )
    ddl.create_indexes("enforcement_actions", "undoes_id")
    ddl.add_columns(
        "review_cases",
        ddl.string("stage", 16, server_default="review"),
        ddl.string("required_role", 32, nullable=True),
        ddl.string("first_reviewer", 64, nullable=True),
        ddl.string("skipped_by", 64, nullable=True),
        ddl.utc("skip_until", nullable=True),
        ddl.string("lang", 16, nullable=True),
        ddl.string("topic", 64, nullable=True),
        ddl.string("incident_id", 32, nullable=True),
        ddl.string("claim_id", 64, nullable=True),
    )
    # Claiming walks waiting cases in priority order; a partial index keeps that O(log n).
    op.create_index(
        "ix_review_cases_claimable",
        "review_cases",
        [sa.text("priority DESC"), "created_at"],
        postgresql_where=sa.text(WAITING),
        sqlite_where=sa.text(WAITING),
    )


def downgrade() -> None:
    op.drop_index("ix_review_cases_claimable", table_name="review_cases")
    ddl.drop_columns(
        "review_cases",
        "claim_id",
        "incident_id",
        "topic",
        "lang",
        "skip_until",
        "skipped_by",
        "first_reviewer",
        "required_role",
        "stage",
    )
    ddl.drop_columns("enforcement_actions", "next_attempt_at", "undoes_id", indexed=["undoes_id"])
    ddl.drop_columns("decisions", "claim_id", indexed=["claim_id"])
    op.drop_table("routing_policies")
