"""review UI: server-side browser sessions

Revision ID: 0701_review_ui
Revises: 0001
Create Date: 2026-11-25 11:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations import ddl

revision: str = "0701_review_ui"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("review_ui",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.create_table(
        "ui_sessions",
        ddl.string("token_hash", 64),
        ddl.string("user_id", 32),
        ddl.string("csrf_token", 64),
        ddl.utc("created_at"),
        ddl.utc("expires_at"),
        ddl.utc("revoked_at", nullable=True),
        ddl.foreign_key("ui_sessions", "user_id", "users"),
        key=("token_hash",),
    )
    ddl.create_indexes("ui_sessions", "user_id")


def downgrade() -> None:
    ddl.drop_table("ui_sessions", "user_id")
