"""review UI: server-side browser sessions

Revision ID: 0701_review_ui
Revises: 0001
Create Date: 2026-11-25 11:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations.helpers import create_indexes, create_table, drop_table, foreign_key, string, utc

revision: str = "0701_review_ui"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("review_ui",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "ui_sessions",
        string("token_hash", 64),
        string("user_id", 32),
        string("csrf_token", 64),
        utc("created_at"),
        utc("expires_at"),
        utc("revoked_at", nullable=True),
        foreign_key("ui_sessions", "user_id", "users"),
        key=("token_hash",),
    )
    create_indexes("ui_sessions", "user_id")


def downgrade() -> None:
    drop_table("ui_sessions", "user_id")
