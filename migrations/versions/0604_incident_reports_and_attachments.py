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

import core.types

revision: str = "0604_incident_reports"
down_revision: str | Sequence[str] | None = "0603_incident_types"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = core.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incident_report_reviews",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_report_reviews_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_report_reviews")),
    )
    op.create_index(
        op.f("ix_incident_report_reviews_incident_id"), "incident_report_reviews", ["incident_id"]
    )
    op.create_table(
        "incident_attachments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=128), nullable=False),
        sa.Column("uploaded_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_attachments")),
    )
    op.create_index(op.f("ix_incident_attachments_sha256"), "incident_attachments", ["sha256"])
    op.create_table(
        "incident_attachment_links",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.String(length=32), nullable=False),
        sa.Column("attachment_id", sa.String(length=32), nullable=False),
        sa.Column("linked_by", sa.String(length=128), nullable=False),
        sa.Column("linked_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_attachment_links_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["incident_attachments.id"],
            name=op.f("fk_incident_attachment_links_attachment_id_incident_attachments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_attachment_links")),
    )
    op.create_index(
        op.f("ix_incident_attachment_links_incident_id"),
        "incident_attachment_links",
        ["incident_id"],
    )
    op.create_index(
        "ix_incident_attachment_links_pair",
        "incident_attachment_links",
        ["incident_id", "attachment_id"],
        unique=True,
    )
    op.create_table(
        "incident_policies",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_incident_policies")),
    )
    op.create_table(
        "narrative_centroids",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("is_drill", sa.Boolean(), nullable=False),
        sa.Column("vector_sum", sa.LargeBinary(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("key", "is_drill", name=op.f("pk_narrative_centroids")),
    )
    op.create_index(
        op.f("ix_narrative_centroids_last_seen_at"), "narrative_centroids", ["last_seen_at"]
    )


def downgrade() -> None:
    op.drop_table("narrative_centroids")
    op.drop_table("incident_policies")
    op.drop_table("incident_attachment_links")
    op.drop_table("incident_attachments")
    op.drop_table("incident_report_reviews")
