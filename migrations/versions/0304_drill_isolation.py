"""review_cases.is_drill: drills are a namespace of their own in the review queue

Real reviewers' claims, queue counts and dashboards read only real cases; drill reviewers
claim only drill cases. The claimable index leads with the flag, so each namespace's claim
stays one index walk in priority order.

Revision ID: 0304_drill_isolation
Revises: 0303_post_region
Create Date: 2026-11-29 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0304_drill_isolation"
down_revision: str | Sequence[str] | None = "0303_post_region"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = "status IN ('open', 'awaiting_second', 'escalated')"


def upgrade() -> None:
    op.drop_index("ix_review_cases_claimable", table_name="review_cases")
    with op.batch_alter_table("review_cases") as batch:
        batch.add_column(
            sa.Column("is_drill", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Cases opened before this revision take their post's flag.
    op.execute(
        "UPDATE review_cases SET is_drill = "
        "(SELECT posts.is_drill FROM posts WHERE posts.id = review_cases.post_id) "
        "WHERE post_id IN (SELECT id FROM posts WHERE is_drill)"
    )
    _claimable(["is_drill", sa.text("priority DESC"), "created_at"])


def downgrade() -> None:
    op.drop_index("ix_review_cases_claimable", table_name="review_cases")
    with op.batch_alter_table("review_cases") as batch:
        batch.drop_column("is_drill")
    _claimable([sa.text("priority DESC"), "created_at"])


def _claimable(columns: list[str | sa.TextClause]) -> None:
    op.create_index(
        "ix_review_cases_claimable",
        "review_cases",
        columns,
        postgresql_where=sa.text(WAITING),
        sqlite_where=sa.text(WAITING),
    )
