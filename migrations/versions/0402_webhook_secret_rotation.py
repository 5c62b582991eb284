"""webhook_subscriptions.previous_secret(+_expires_at): a rotated secret keeps signing until then

Revision ID: 0402_webhook_rotation
Revises: 0401_webhooks
Create Date: 2026-11-25 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations import ddl

revision: str = "0402_webhook_rotation"
down_revision: str | Sequence[str] | None = "0401_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.add_columns(
        "webhook_subscriptions",
        ddl.string("previous_secret", 100, nullable=True),
        ddl.utc("previous_secret_expires_at", nullable=True),
    )


def downgrade() -> None:
    ddl.drop_columns("webhook_subscriptions", "previous_secret_expires_at", "previous_secret")
