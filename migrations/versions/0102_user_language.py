"""users.language: the UI's language per user (en, zh); empty lets the browser decide

Revision ID: 0102_user_language
Revises: 0101_accounts
Create Date: 2026-11-29 18:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations import ddl

revision: str = "0102_user_language"
down_revision: str | Sequence[str] | None = "0101_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.add_columns("users", ddl.string("language", 8, nullable=True))


def downgrade() -> None:
    ddl.drop_columns("users", "language")
