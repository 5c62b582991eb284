"""triage signals: posts.detected_lang; scores.triage_band, triage_rule, checkworthiness,
claim_matches (the claim matcher's results at intake, best first)

Revision ID: 0305_triage
Revises: 0304_drill_isolation
Create Date: 2026-11-29 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0305_triage"
down_revision: str | Sequence[str] | None = "0304_drill_isolation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("detected_lang", sa.String(length=16), nullable=True))
    with op.batch_alter_table("scores") as batch:
        batch.add_column(sa.Column("triage_band", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("triage_rule", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("checkworthiness", sa.Float(), nullable=True))
        batch.add_column(sa.Column("claim_matches", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scores") as batch:
        for column in ("claim_matches", "checkworthiness", "triage_rule", "triage_band"):
            batch.drop_column(column)
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("detected_lang")
