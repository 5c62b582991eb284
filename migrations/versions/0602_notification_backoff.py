"""incident_notifications.next_attempt_at: a failed notification waits out the retry policy's
backoff and the group's Retry-After; an incident round sends only rows that are due

Existing rows keep a null next_attempt_at: due at once, as before.

Revision ID: 0602_notification_backoff
Revises: 0601_incidents
Create Date: 2026-11-29 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = "0602_notification_backoff"
down_revision: str | Sequence[str] | None = "0601_incidents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incident_notifications") as batch:
        batch.add_column(
            sa.Column("next_attempt_at", core.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch.create_index(
            "ix_incident_notifications_due", ["sent_at", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incident_notifications") as batch:
        batch.drop_index("ix_incident_notifications_due")
        batch.drop_column("next_attempt_at")
