"""incident types, activation by leadership, response-group members, tasks, channels

incidents: type, what/when/where/scope a reporter gave, owner and leadership's decision;
the status "open" becomes "active" (the same state under the plan's name). response_groups:
channel (webhook, slack, email). response_group_members and incident_tasks are new.
incident_notifications: channel and recipients; group_id may be null (e-mail to an owner).

Revision ID: 0603_incident_types
Revises: 0602_notification_backoff
Create Date: 2026-11-29 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import ddl

revision: str = "0603_incident_types"
down_revision: str | Sequence[str] | None = "0602_notification_backoff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0101_accounts"  # members reference users


def upgrade() -> None:
    ddl.add_columns(
        "incidents",
        ddl.string("type", 32, server_default="misinformation"),
        ddl.column("description", sa.Text(), server_default=""),
        ddl.utc("occurred_at", nullable=True),
        ddl.string("location", 300, server_default=""),
        ddl.column("scope", sa.JSON(), nullable=True),
        ddl.string("reported_by", 128, nullable=True),
        ddl.string("owner", 128, nullable=True),
        ddl.string("decided_by", 128, nullable=True),
        ddl.utc("decided_at", nullable=True),
        ddl.column("decision_reason", sa.Text(), nullable=True),
    )
    ddl.create_indexes("incidents", "type")
    op.execute("UPDATE incidents SET status = 'active' WHERE status = 'open'")
    ddl.add_columns("response_groups", ddl.string("channel", 16, server_default="webhook"))
    with op.batch_alter_table("incident_notifications") as batch:
        batch.add_column(ddl.string("channel", 16, server_default="webhook"))
        batch.add_column(ddl.column("recipients", sa.JSON(), nullable=True))
        batch.alter_column("group_id", existing_type=sa.String(32), nullable=True)
    ddl.create_table(
        "response_group_members",
        ddl.id_column(),
        ddl.string("group", 32),
        ddl.string("user_id", 32),
        ddl.string("email", 320, nullable=True),
        ddl.string("added_by", 128),
        ddl.utc("added_at"),
        ddl.foreign_key("response_group_members", "user_id", "users"),
    )
    ddl.create_indexes("response_group_members", "group", "user_id")
    ddl.create_index("response_group_members", "group_user", "group", "user_id", unique=True)
    ddl.create_table(
        "incident_tasks",
        ddl.id_column(),
        ddl.string("incident_id", 32),
        ddl.string("group", 32),
        ddl.string("kind", 64),
        ddl.string("title", 300),
        ddl.string("status", 16),
        ddl.string("assignee", 128, nullable=True),
        ddl.string("milestone", 32, nullable=True),
        ddl.utc("due_at", nullable=True),
        ddl.column("note", sa.Text()),
        ddl.string("created_by", 128),
        ddl.utc("created_at"),
        ddl.utc("started_at", nullable=True),
        ddl.utc("done_at", nullable=True),
        ddl.foreign_key("incident_tasks", "incident_id", "incidents"),
    )
    ddl.create_indexes("incident_tasks", "incident_id")


def downgrade() -> None:
    op.drop_table("incident_tasks")
    op.drop_table("response_group_members")
    op.execute("DELETE FROM incident_notifications WHERE group_id IS NULL")
    with op.batch_alter_table("incident_notifications") as batch:
        batch.alter_column("group_id", existing_type=sa.String(32), nullable=False)
        batch.drop_column("recipients")
        batch.drop_column("channel")
    ddl.drop_columns("response_groups", "channel")
    op.execute("UPDATE incidents SET status = 'open' WHERE status = 'active'")
    ddl.drop_columns(
        "incidents",
        "decision_reason",
        "decided_at",
        "decided_by",
        "owner",
        "reported_by",
        "scope",
        "location",
        "occurred_at",
        "description",
        "type",
        indexed=["type"],
    )
