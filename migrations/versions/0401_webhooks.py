"""webhooks: subscriptions and the delivery log

Revision ID: 0401_webhooks
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import ddl

revision: str = "0401_webhooks"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("webhooks",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.create_table(
        "webhook_subscriptions",
        ddl.id_column(),
        ddl.string("url", 2048),
        ddl.string("secret", 100),
        ddl.column("events", sa.JSON()),
        ddl.column("active", sa.Boolean()),
        ddl.string("created_by", 128),
        ddl.utc("created_at"),
    )
    ddl.create_table(
        "webhook_deliveries",
        ddl.id_column(),
        ddl.string("subscription_id", 32),
        ddl.string("event_id", 32),
        ddl.string("event", 64),
        ddl.column("payload", sa.JSON()),
        ddl.string("status", 16),
        ddl.column("attempts", sa.Integer()),
        ddl.utc("next_attempt_at"),
        ddl.column("response_code", sa.Integer(), nullable=True),
        ddl.column("last_error", sa.Text(), nullable=True),
        ddl.utc("created_at"),
        ddl.utc("delivered_at", nullable=True),
        ddl.foreign_key("webhook_deliveries", "subscription_id", "webhook_subscriptions"),
    )
    ddl.create_indexes("webhook_deliveries", "subscription_id", "event_id")
    ddl.create_index("webhook_deliveries", "due", "status", "next_attempt_at")


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
