"""review UI: the reviewer console's wellness settings, autosaved notes and QA sampling

Revision ID: 0702_reviewer_console
Revises: 0701_review_ui
Create Date: 2026-11-29 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import ddl

revision: str = "0702_reviewer_console"
down_revision: str | Sequence[str] | None = "0701_review_ui"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QA_INDEXED = ("original_decision_id", "original_reviewer", "created_at")


def upgrade() -> None:
    ddl.create_table(
        "reviewer_settings",
        ddl.string("username", 64),
        ddl.column("blur_media", sa.Boolean()),
        ddl.column("grayscale", sa.Boolean()),
        ddl.column("daily_cap", sa.Integer(), nullable=True),
        ddl.utc("updated_at"),
        key=("username",),
    )
    ddl.create_table(
        "case_note_drafts",
        ddl.string("case_id", 32),
        ddl.string("username", 64),
        ddl.column("note", sa.Text()),
        ddl.utc("updated_at"),
        key=("case_id", "username"),
    )
    ddl.create_table(
        "qa_sampling",
        ddl.column("id", sa.Integer(), autoincrement=False),
        ddl.column("fraction", sa.Float()),
        ddl.string("updated_by", 64),
        ddl.utc("updated_at"),
    )
    ddl.create_table(
        "qa_reviews",
        ddl.id_column(),
        ddl.string("qa_case_id", 32),
        ddl.string("original_decision_id", 32),
        ddl.string("original_reviewer", 64),
        ddl.string("original_action", 32),
        ddl.string("reviewer", 64),
        ddl.string("action", 32),
        ddl.string("reason_code", 32),
        ddl.column("note", sa.Text()),
        ddl.column("agrees", sa.Boolean()),
        ddl.utc("created_at"),
        unique=("qa_case_id",),
    )
    ddl.create_indexes("qa_reviews", *QA_INDEXED)


def downgrade() -> None:
    ddl.drop_table("qa_reviews", *QA_INDEXED)
    op.drop_table("qa_sampling")
    op.drop_table("case_note_drafts")
    op.drop_table("reviewer_settings")
