"""incidents

Revision ID: 0601_incidents
Revises: 0001
Create Date: 2026-11-25 11:42:40.394473
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import ddl

revision: str = "0601_incidents"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("incidents",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.create_table(
        "incident_scan_cursors",
        ddl.string("name", 32),
        ddl.utc("received_at"),
        ddl.string("post_id", 128),
        key=("name",),
    )
    ddl.create_table(
        "incidents",
        ddl.id_column(),
        ddl.string("key", 160),
        ddl.string("title", 300),
        ddl.string("claim_id", 64, nullable=True),
        ddl.string("status", 16),
        ddl.column("grade", sa.Integer()),
        ddl.column("grade_locked", sa.Boolean()),
        ddl.string("topic", 32),
        ddl.column("post_count", sa.Integer()),
        ddl.column("reach", sa.Integer()),
        ddl.column("velocity", sa.Double()),
        ddl.column("regions", sa.JSON()),
        ddl.column("surge", sa.Boolean()),
        ddl.column("is_drill", sa.Boolean()),
        ddl.utc("first_seen_at"),
        ddl.utc("opened_at"),
        ddl.utc("contained_at", nullable=True),
        ddl.utc("closed_at", nullable=True),
        ddl.utc("updated_at"),
    )
    ddl.create_indexes("incidents", "is_drill", "key", "status")
    ddl.create_table(
        "response_groups",
        ddl.id_column(),
        ddl.string("role", 32),
        ddl.string("url", 2048),
        ddl.string("secret", 128),
        ddl.column("min_grade", sa.Integer()),
        ddl.column("active", sa.Boolean()),
    )
    ddl.create_indexes("response_groups", "role")
    ddl.create_table(
        "response_plans",
        ddl.column("version", sa.Integer(), autoincrement=False),
        ddl.column("body", sa.Text()),
        ddl.column("change_note", sa.Text()),
        ddl.string("author", 128),
        ddl.utc("created_at"),
        key=("version",),
    )
    ddl.create_table(
        "incident_clocks",
        ddl.id_column(),
        ddl.string("incident_id", 32),
        ddl.string("name", 64),
        ddl.string("milestone", 32),
        ddl.utc("started_at"),
        ddl.utc("due_at"),
        ddl.string("status", 16),
        ddl.utc("resolved_at", nullable=True),
        ddl.foreign_key("incident_clocks", "incident_id", "incidents"),
    )
    ddl.create_table(
        "incident_lessons",
        ddl.id_column(),
        ddl.string("incident_id", 32),
        ddl.column("text", sa.Text()),
        ddl.string("author", 128),
        ddl.column("plan_version", sa.Integer(), nullable=True),
        ddl.utc("created_at"),
        ddl.foreign_key("incident_lessons", "incident_id", "incidents"),
    )
    ddl.create_table(
        "incident_milestones",
        ddl.id_column(),
        ddl.string("incident_id", 32),
        ddl.string("kind", 32),
        ddl.column("note", sa.Text()),
        ddl.string("actor", 128),
        ddl.utc("at"),
        ddl.foreign_key("incident_milestones", "incident_id", "incidents"),
    )
    ddl.create_indexes("incident_milestones", "incident_id")
    ddl.create_table(
        "incident_notifications",
        ddl.id_column(),
        ddl.string("incident_id", 32),
        ddl.string("group_id", 32),
        ddl.column("payload", sa.JSON()),
        ddl.column("attempts", sa.Integer()),
        ddl.column("last_error", sa.Text(), nullable=True),
        ddl.utc("sent_at", nullable=True),
        ddl.utc("created_at"),
        ddl.foreign_key("incident_notifications", "group_id", "response_groups"),
        ddl.foreign_key("incident_notifications", "incident_id", "incidents"),
    )
    ddl.create_indexes("incident_notifications", "sent_at")
    ddl.create_table(
        "narrative_posts",
        ddl.id_column(),
        ddl.string("key", 160),
        ddl.string("post_id", 128),
        ddl.string("incident_id", 32, nullable=True),
        ddl.column("reach", sa.Integer()),
        ddl.string("region", 16, nullable=True),
        ddl.column("similarity", sa.Double(), nullable=True),
        ddl.column("surged", sa.Boolean()),
        ddl.column("is_drill", sa.Boolean()),
        ddl.utc("observed_at"),
        ddl.foreign_key("narrative_posts", "incident_id", "incidents", ondelete="SET NULL"),
        ddl.foreign_key("narrative_posts", "post_id", "posts"),
    )
    ddl.create_indexes("narrative_posts", "incident_id", "key")
    ddl.create_index("narrative_posts", "key_post", "key", "post_id", unique=True)
    ddl.create_indexes("narrative_posts", "observed_at", "post_id")
    ddl.create_table(
        "post_shingle_bands",
        ddl.string("post_id", 128),
        ddl.string("band", 40),
        ddl.string("key", 160),
        ddl.utc("observed_at"),
        ddl.foreign_key("post_shingle_bands", "post_id", "posts"),
        key=("post_id", "band"),
    )
    ddl.create_indexes("post_shingle_bands", "band")


def downgrade() -> None:
    ddl.drop_table("post_shingle_bands", "band")
    ddl.drop_table("narrative_posts", "post_id", "observed_at", "key_post", "key", "incident_id")
    ddl.drop_table("incident_notifications", "sent_at")
    ddl.drop_table("incident_milestones", "incident_id")
    op.drop_table("incident_lessons")
    op.drop_table("incident_clocks")
    op.drop_table("response_plans")
    ddl.drop_table("response_groups", "role")
    ddl.drop_table("incidents", "status", "key", "is_drill")
    op.drop_table("incident_scan_cursors")
