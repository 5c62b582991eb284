"""users.token_generation: bearer tokens carry it, so sign-out and password changes revoke them

Revision ID: 0101_accounts
Revises: 0001
Create Date: 2026-11-29 15:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from migrations import ddl

revision: str = "0101_accounts"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("accounts",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.add_columns("users", ddl.column("token_generation", sa.Integer(), server_default="0"))


def downgrade() -> None:
    ddl.drop_columns("users", "token_generation")
