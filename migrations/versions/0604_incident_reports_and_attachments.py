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

from migrations.helpers import (
    column,
    create_indexes,
    create_table,
    foreign_key,
    id_column,
    string,
    utc,
)

revision: str = "0604_incident_reports"
down_revision: str | Sequence[str] | None = "0603_incident_types"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "incident_report_reviews",
        id_column(),
        string("incident_id", 32),
        string("decision", 24),
        string("actor", 128),
        string("role", 32),
        column("comment", sa.Text()),
        column("pdf", sa.LargeBinary(), nullable=True),
        column("html", sa.Text(), nullable=True),
        string("pdf_sha256", 64, nullable=True),
        utc("at"),
        foreign_key("incident_report_reviews", "incident_id", "incidents"),
    )
    create_indexes("incident_report_reviews", "incident_id")
    create_table(
        "incident_attachments",
        id_column(),
        string("title", 300),
        string("kind", 32),
        string("filename", 255),
        string("content_type", 100),
        column("size", sa.Integer()),
        string("sha256", 64),
        column("data", sa.LargeBinary()),
        string("uploaded_by", 128),
        utc("uploaded_at"),
    )
    create_indexes("incident_attachments", "sha256")
    create_table(
        "incident_attachment_links",
        id_column(),
        string("incident_id", 32),
        string("attachment_id", 32),
        string("linked_by", 128),
        utc("linked_at"),
        foreign_key("incident_attachment_links", "incident_id", "incidents"),
        foreign_key("incident_attachment_links", "attachment_id", "incident_attachments"),
    )
    create_indexes("incident_attachment_links", "incident_id")
    op.create_index(
        "ix_incident_attachment_links_pair",
        "incident_attachment_links",
        ["incident_id", "attachment_id"],
        unique=True,
    )
    create_table(
        "incident_policies",
        column("version", sa.Integer(), autoincrement=False),
        column("body", sa.JSON()),
        string("author", 128),
        column("note", sa.Text()),
        utc("created_at"),
        key=("version",),
    )
    create_table(
        "narrative_centroids",
        string("key", 160),
        column("is_drill", sa.Boolean()),
        column("vector_sum", sa.LargeBinary()),
        column("members", sa.Integer()),
        utc("last_seen_at"),
        key=("key", "is_drill"),
    )
    create_indexes("narrative_centroids", "last_seen_at")


def downgrade() -> None:
    op.drop_table("narrative_centroids")
    op.drop_table("incident_policies")
    op.drop_table("incident_attachment_links")
    op.drop_table("incident_attachments")
    op.drop_table("incident_report_reviews")
