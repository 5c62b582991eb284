"""triage signals: posts.detected_lang; scores.triage_band, triage_rule, checkworthiness,
claim_matches (the claim matcher's results at intake, best first)

Revision ID: 0305_triage
Revises: 0304_drill_isolation
Create Date: 2026-11-29 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from migrations import ddl

revision: str = "0305_triage"
down_revision: str | Sequence[str] | None = "0304_drill_isolation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.add_columns("posts", ddl.string("detected_lang", 16, nullable=True))
    ddl.add_columns(
        "scores",
        ddl.string("triage_band", 24, nullable=True),
        ddl.string("triage_rule", 32, nullable=True),
        ddl.column("checkworthiness", sa.Float(), nullable=True),
        ddl.column("claim_matches", sa.JSON(), nullable=True),
    )


def downgrade() -> None:
    ddl.drop_columns("scores", "claim_matches", "checkworthiness", "triage_rule", "triage_band")
    ddl.drop_columns("posts", "detected_lang")
