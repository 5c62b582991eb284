"""webhooks: subscriptions and the delivery log

Revision ID: 0401_webhooks
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import (
    column,
    create_indexes,
    create_table,
    foreign_key,
    id_column,
    string,
    utc,
)

revision: str = "0401_webhooks"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("webhooks",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "webhook_subscriptions",
        id_column(),
        string("url", 2048),
        string("secret", 100),
        column("events", sa.JSON()),
        column("active", sa.Boolean()),
        string("created_by", 128),
        utc("created_at"),
    )
    create_table(
        "webhook_deliveries",
        id_column(),
        string("subscription_id", 32),
        string("event_id", 32),
        string("event", 64),
        column("payload", sa.JSON()),
        string("status", 16),
        column("attempts", sa.Integer()),
        utc("next_attempt_at"),
        column("response_code", sa.Integer(), nullable=True),
        column("last_error", sa.Text(), nullable=True),
        utc("created_at"),
        utc("delivered_at", nullable=True),
        foreign_key("webhook_deliveries", "subscription_id", "webhook_subscriptions"),
    )
    create_indexes("webhook_deliveries", "subscription_id", "event_id")
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["status", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
