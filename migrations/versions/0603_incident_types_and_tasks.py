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

import core.types

revision: str = "0603_incident_types"
down_revision: str | Sequence[str] | None = "0602_notification_backoff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0101_accounts"  # members reference users

When = core.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(
            sa.Column("type", sa.String(32), nullable=False, server_default="misinformation")
        )
        batch.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("occurred_at", When, nullable=True))
        batch.add_column(sa.Column("location", sa.String(300), nullable=False, server_default=""))
        batch.add_column(sa.Column("scope", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("reported_by", sa.String(128), nullable=True))
        batch.add_column(sa.Column("owner", sa.String(128), nullable=True))
        batch.add_column(sa.Column("decided_by", sa.String(128), nullable=True))
        batch.add_column(sa.Column("decided_at", When, nullable=True))
        batch.add_column(sa.Column("decision_reason", sa.Text(), nullable=True))
        batch.create_index("ix_incidents_type", ["type"], unique=False)
    op.execute("UPDATE incidents SET status = 'active' WHERE status = 'open'")
    with op.batch_alter_table("response_groups") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(16), nullable=False, server_default="webhook")
        )
    with op.batch_alter_table("incident_notifications") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(16), nullable=False, server_default="webhook")
        )
        batch.add_column(sa.Column("recipients", sa.JSON(), nullable=True))
        batch.alter_column("group_id", existing_type=sa.String(32), nullable=True)
    op.create_table(
        "response_group_members",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("group", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("added_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_response_group_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_group_members")),
    )
    with op.batch_alter_table("response_group_members") as batch:
        batch.create_index("ix_response_group_members_group", ["group"], unique=False)
        batch.create_index("ix_response_group_members_user_id", ["user_id"], unique=False)
        batch.create_index(
            "ix_response_group_members_group_user", ["group", "user_id"], unique=True
        )
    op.create_table(
        "incident_tasks",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("incident_id", sa.String(32), nullable=False),
        sa.Column("group", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(128), nullable=True),
        sa.Column("milestone", sa.String(32), nullable=True),
        sa.Column("due_at", When, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("started_at", When, nullable=True),
        sa.Column("done_at", When, nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_tasks_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_tasks")),
    )
    with op.batch_alter_table("incident_tasks") as batch:
        batch.create_index("ix_incident_tasks_incident_id", ["incident_id"], unique=False)


def downgrade() -> None:
    op.drop_table("incident_tasks")
    op.drop_table("response_group_members")
    op.execute("DELETE FROM incident_notifications WHERE group_id IS NULL")
    with op.batch_alter_table("incident_notifications") as batch:
        batch.alter_column("group_id", existing_type=sa.String(32), nullable=False)
        batch.drop_column("recipients")
        batch.drop_column("channel")
    with op.batch_alter_table("response_groups") as batch:
        batch.drop_column("channel")
    op.execute("UPDATE incidents SET status = 'open' WHERE status = 'active'")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_index("ix_incidents_type")
        for column in (
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
        ):
            batch.drop_column(column)
