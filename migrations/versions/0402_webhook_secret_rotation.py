"""webhook_subscriptions.previous_secret(+_expires_at): a rotated secret keeps signing until then

Revision ID: 0402_webhook_rotation
Revises: 0401_webhooks
Create Date: 2026-11-25 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0402_webhook_rotation"
down_revision: str | Sequence[str] | None = "0401_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.add_column(sa.Column("previous_secret", sa.String(length=100), nullable=True))
        batch.add_column(
            sa.Column(
                "previous_secret_expires_at", core.types.UtcDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.drop_column("previous_secret_expires_at")
        batch.drop_column("previous_secret")
