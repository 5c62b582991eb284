"""incidents

Revision ID: 0601_incidents
Revises: 0001
Create Date: 2026-11-25 11:42:40.394473
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.helpers import (
    column,
    create_indexes,
    create_table,
    drop_table,
    foreign_key,
    id_column,
    string,
    utc,
)

revision: str = "0601_incidents"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("incidents",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "incident_scan_cursors",
        string("name", 32),
        utc("received_at"),
        string("post_id", 128),
        key=("name",),
    )
    create_table(
        "incidents",
        id_column(),
        string("key", 160),
        string("title", 300),
        string("claim_id", 64, nullable=True),
        string("status", 16),
        column("grade", sa.Integer()),
        column("grade_locked", sa.Boolean()),
        string("topic", 32),
        column("post_count", sa.Integer()),
        column("reach", sa.Integer()),
        column("velocity", sa.Double()),
        column("regions", sa.JSON()),
        column("surge", sa.Boolean()),
        column("is_drill", sa.Boolean()),
        utc("first_seen_at"),
        utc("opened_at"),
        utc("contained_at", nullable=True),
        utc("closed_at", nullable=True),
        utc("updated_at"),
    )
    create_indexes("incidents", "is_drill", "key", "status")
    create_table(
        "response_groups",
        id_column(),
        string("role", 32),
        string("url", 2048),
        string("secret", 128),
        column("min_grade", sa.Integer()),
        column("active", sa.Boolean()),
    )
    create_indexes("response_groups", "role")
    create_table(
        "response_plans",
        column("version", sa.Integer(), autoincrement=False),
        column("body", sa.Text()),
        column("change_note", sa.Text()),
        string("author", 128),
        utc("created_at"),
        key=("version",),
    )
    create_table(
        "incident_clocks",
        id_column(),
        string("incident_id", 32),
        string("name", 64),
        string("milestone", 32),
        utc("started_at"),
        utc("due_at"),
        string("status", 16),
        utc("resolved_at", nullable=True),
        foreign_key("incident_clocks", "incident_id", "incidents"),
    )
    create_table(
        "incident_lessons",
        id_column(),
        string("incident_id", 32),
        column("text", sa.Text()),
        string("author", 128),
        column("plan_version", sa.Integer(), nullable=True),
        utc("created_at"),
        foreign_key("incident_lessons", "incident_id", "incidents"),
    )
    create_table(
        "incident_milestones",
        id_column(),
        string("incident_id", 32),
        string("kind", 32),
        column("note", sa.Text()),
        string("actor", 128),
        utc("at"),
        foreign_key("incident_milestones", "incident_id", "incidents"),
    )
    create_indexes("incident_milestones", "incident_id")
    create_table(
        "incident_notifications",
        id_column(),
        string("incident_id", 32),
        string("group_id", 32),
        column("payload", sa.JSON()),
        column("attempts", sa.Integer()),
        column("last_error", sa.Text(), nullable=True),
        utc("sent_at", nullable=True),
        utc("created_at"),
        foreign_key("incident_notifications", "group_id", "response_groups"),
        foreign_key("incident_notifications", "incident_id", "incidents"),
    )
    create_indexes("incident_notifications", "sent_at")
    create_table(
        "narrative_posts",
        id_column(),
        string("key", 160),
        string("post_id", 128),
        string("incident_id", 32, nullable=True),
        column("reach", sa.Integer()),
        string("region", 16, nullable=True),
        column("similarity", sa.Double(), nullable=True),
        column("surged", sa.Boolean()),
        column("is_drill", sa.Boolean()),
        utc("observed_at"),
        foreign_key("narrative_posts", "incident_id", "incidents", ondelete="SET NULL"),
        foreign_key("narrative_posts", "post_id", "posts"),
    )
    create_indexes("narrative_posts", "incident_id", "key", "observed_at", "post_id")
    op.create_index(
        "ix_narrative_posts_key_post", "narrative_posts", ["key", "post_id"], unique=True
    )
    create_table(
        "post_shingle_bands",
        string("post_id", 128),
        string("band", 40),
        string("key", 160),
        utc("observed_at"),
        foreign_key("post_shingle_bands", "post_id", "posts"),
        key=("post_id", "band"),
    )
    op.create_index("ix_post_shingle_bands_band", "post_shingle_bands", ["band"], unique=False)


def downgrade() -> None:
    drop_table("post_shingle_bands", named=["ix_post_shingle_bands_band"])
    drop_table(
        "narrative_posts",
        "post_id",
        "observed_at",
        "key",
        "incident_id",
        named=["ix_narrative_posts_key_post"],
    )
    drop_table("incident_notifications", "sent_at")
    drop_table("incident_milestones", "incident_id")
    op.drop_table("incident_lessons")
    op.drop_table("incident_clocks")
    op.drop_table("response_plans")
    drop_table("response_groups", "role")
    drop_table("incidents", "status", "key", "is_drill")
    op.drop_table("incident_scan_cursors")
