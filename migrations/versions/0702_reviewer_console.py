"""review UI: the reviewer console's wellness settings, autosaved notes and QA sampling

Revision ID: 0702_reviewer_console
Revises: 0701_review_ui
Create Date: 2026-11-29 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import (
    column,
    create_indexes,
    create_table,
    drop_table,
    id_column,
    string,
    utc,
)

revision: str = "0702_reviewer_console"
down_revision: str | Sequence[str] | None = "0701_review_ui"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QA_INDEXED = ("original_decision_id", "original_reviewer", "created_at")


def upgrade() -> None:
    create_table(
        "reviewer_settings",
        string("username", 64),
        column("blur_media", sa.Boolean()),
        column("grayscale", sa.Boolean()),
        column("daily_cap", sa.Integer(), nullable=True),
        utc("updated_at"),
        key=("username",),
    )
    create_table(
        "case_note_drafts",
        string("case_id", 32),
        string("username", 64),
        column("note", sa.Text()),
        utc("updated_at"),
        key=("case_id", "username"),
    )
    create_table(
        "qa_sampling",
        column("id", sa.Integer(), autoincrement=False),
        column("fraction", sa.Float()),
        string("updated_by", 64),
        utc("updated_at"),
    )
    create_table(
        "qa_reviews",
        id_column(),
        string("qa_case_id", 32),
        string("original_decision_id", 32),
        string("original_reviewer", 64),
        string("original_action", 32),
        string("reviewer", 64),
        string("action", 32),
        string("reason_code", 32),
        column("note", sa.Text()),
        column("agrees", sa.Boolean()),
        utc("created_at"),
        unique=("qa_case_id",),
    )
    create_indexes("qa_reviews", *QA_INDEXED)


def downgrade() -> None:
    drop_table("qa_reviews", *QA_INDEXED)
    op.drop_table("qa_sampling")
    op.drop_table("case_note_drafts")
    op.drop_table("reviewer_settings")
