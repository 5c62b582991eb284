"""pipeline: per-reviewer cooldowns on cases put back (case_cooldowns), replacing
review_cases.skipped_by and skip_until, which held one reviewer's: a release by another
reviewer ended the skipper's cooldown

Revision ID: 0306_case_cooldowns
Revises: 0305_triage
Create Date: 2026-11-30 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from migrations import ddl

revision: str = "0306_case_cooldowns"
down_revision: str | Sequence[str] | None = "0305_triage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.create_table(
        "case_cooldowns",
        ddl.string("case_id", 32),
        ddl.string("username", 64),
        ddl.utc("ends_at"),
        ddl.foreign_key("case_cooldowns", "case_id", "review_cases"),
        key=("case_id", "username"),
    )
    op.execute(
        "INSERT INTO case_cooldowns (case_id, username, ends_at) "
        "SELECT id, skipped_by, skip_until FROM review_cases "
        "WHERE skipped_by IS NOT NULL AND skip_until IS NOT NULL"
    )
    # Not in a batch: SQLite (3.35+) drops an unindexed column in place, and a batch would copy
    # review_cases, whose partial and expression indexes it cannot rebuild.
    op.drop_column("review_cases", "skip_until")
    op.drop_column("review_cases", "skipped_by")


def downgrade() -> None:
    ddl.add_columns(
        "review_cases",
        ddl.string("skipped_by", 64, nullable=True),
        ddl.utc("skip_until", nullable=True),
    )
    op.execute(  # the longest-running cooldown of each case: the columns held one
        "UPDATE review_cases SET skipped_by = c.username, skip_until = c.ends_at "
        "FROM case_cooldowns AS c WHERE c.case_id = review_cases.id AND c.ends_at = "
        "(SELECT max(d.ends_at) FROM case_cooldowns AS d WHERE d.case_id = review_cases.id)"
    )
    ddl.drop_table("case_cooldowns")
