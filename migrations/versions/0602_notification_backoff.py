"""incident_notifications.next_attempt_at: a failed notification waits out the retry policy's
backoff and the group's Retry-After; an incident round sends only rows that are due

Existing rows keep a null next_attempt_at: due at once, as before.

Revision ID: 0602_notification_backoff
Revises: 0601_incidents
Create Date: 2026-11-29 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from migrations import ddl

revision: str = "0602_notification_backoff"
down_revision: str | Sequence[str] | None = "0601_incidents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.add_backoff("incident_notifications", "sent_at")


def downgrade() -> None:
    ddl.drop_backoff("incident_notifications")
