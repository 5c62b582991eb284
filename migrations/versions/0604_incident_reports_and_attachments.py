"""incident report reviews (leadership sign-off with the frozen report), plan attachments and
their links to incidents, incident policy versions, narrative embedding centroids

Revision ID: 0604_incident_reports
Revises: 0603_incident_types
Create Date: 2026-11-29 16:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations import ddl

revision: str = "0604_incident_reports"
down_revision: str | Sequence[str] | None = "0603_incident_types"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    ddl.create_table(
        "incident_report_reviews",
        ddl.id_column(),
        ddl.string("incident_id", 32),
        ddl.string("decision", 24),
        ddl.string("actor", 128),
        ddl.string("role", 32),
        ddl.column("comment", sa.Text()),
        ddl.column("pdf", sa.LargeBinary(), nullable=True),
        ddl.column("html", sa.Text(), nullable=True),
        ddl.string("pdf_sha256", 64, nullable=True),
        ddl.utc("at"),
        ddl.foreign_key("incident_report_reviews", "incident_id", "incidents"),
    )
    ddl.create_indexes("incident_report_reviews", "incident_id")
    ddl.create_table(
        "incident_attachments",
        ddl.id_column(),
        ddl.string("title", 300),
        ddl.string("kind", 32),
        ddl.string("filename", 255),
        ddl.string("content_type", 100),
        ddl.column("size", sa.Integer()),
        ddl.string("sha256", 64),
        ddl.column("data", sa.LargeBinary()),
        ddl.string("uploaded_by", 128),
        ddl.utc("uploaded_at"),
    )
    ddl.create_indexes("incident_attachments", "sha256")
    ddl.create_table(
        "incident_attachment_links",
        ddl.id_column(),
        ddl.string("incident_id", 32),
        ddl.string("attachment_id", 32),
        ddl.string("linked_by", 128),
        ddl.utc("linked_at"),
        ddl.foreign_key("incident_attachment_links", "incident_id", "incidents"),
        ddl.foreign_key("incident_attachment_links", "attachment_id", "incident_attachments"),
    )
    ddl.create_indexes("incident_attachment_links", "incident_id")
    ddl.create_index(
        "incident_attachment_links", "pair", "incident_id", "attachment_id", unique=True
    )
    ddl.create_table(
        "incident_policies",
        ddl.column("version", sa.Integer(), autoincrement=False),
        ddl.column("body", sa.JSON()),
        ddl.string("author", 128),
        ddl.column("note", sa.Text()),
        ddl.utc("created_at"),
        key=("version",),
    )
    ddl.create_table(
        "narrative_centroids",
        ddl.string("key", 160),
        ddl.column("is_drill", sa.Boolean()),
        ddl.column("vector_sum", sa.LargeBinary()),
        ddl.column("members", sa.Integer()),
        ddl.utc("last_seen_at"),
        key=("key", "is_drill"),
    )
    ddl.create_indexes("narrative_centroids", "last_seen_at")


def downgrade() -> None:
    op.drop_table("narrative_centroids")
    op.drop_table("incident_policies")
    op.drop_table("incident_attachment_links")
    op.drop_table("incident_attachments")
    op.drop_table("incident_report_reviews")
