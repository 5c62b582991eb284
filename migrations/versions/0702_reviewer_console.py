"""review UI: the reviewer console's wellness settings, autosaved notes and QA sampling

Revision ID: 0702_reviewer_console
Revises: 0701_review_ui
Create Date: 2026-11-29 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0702_reviewer_console"
down_revision: str | Sequence[str] | None = "0701_review_ui"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = core.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reviewer_settings",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("blur_media", sa.Boolean(), nullable=False),
        sa.Column("grayscale", sa.Boolean(), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=True),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_reviewer_settings")),
    )
    op.create_table(
        "case_note_drafts",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("case_id", "username", name=op.f("pk_case_note_drafts")),
    )
    op.create_table(
        "qa_sampling",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fraction", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_sampling")),
    )
    op.create_table(
        "qa_reviews",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("qa_case_id", sa.String(length=32), nullable=False),
        sa.Column("original_decision_id", sa.String(length=32), nullable=False),
        sa.Column("original_reviewer", sa.String(length=64), nullable=False),
        sa.Column("original_action", sa.String(length=32), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("agrees", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_reviews")),
        sa.UniqueConstraint("qa_case_id", name=op.f("uq_qa_reviews_qa_case_id")),
    )
    for column in ("original_decision_id", "original_reviewer", "created_at"):
        op.create_index(op.f(f"ix_qa_reviews_{column}"), "qa_reviews", [column], unique=False)


def downgrade() -> None:
    for column in ("original_decision_id", "original_reviewer", "created_at"):
        op.drop_index(op.f(f"ix_qa_reviews_{column}"), table_name="qa_reviews")
    op.drop_table("qa_reviews")
    op.drop_table("qa_sampling")
    op.drop_table("case_note_drafts")
    op.drop_table("reviewer_settings")
