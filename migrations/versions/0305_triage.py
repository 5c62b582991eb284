"""triage signals: posts.detected_lang; scores.triage_band, triage_rule, checkworthiness,
claim_matches (the claim matcher's results at intake, best first)

Revision ID: 0305_triage
Revises: 0304_drill_isolation
Create Date: 2026-11-29 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from migrations.helpers import add_columns, column, drop_columns, string

revision: str = "0305_triage"
down_revision: str | Sequence[str] | None = "0304_drill_isolation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_columns("posts", string("detected_lang", 16, nullable=True))
    add_columns(
        "scores",
        string("triage_band", 24, nullable=True),
        string("triage_rule", 32, nullable=True),
        column("checkworthiness", sa.Float(), nullable=True),
        column("claim_matches", sa.JSON(), nullable=True),
    )


def downgrade() -> None:
    drop_columns("scores", "claim_matches", "checkworthiness", "triage_rule", "triage_band")
    drop_columns("posts", "detected_lang")
