"""Tables of the post-incident report review, plan materials and the incident policy store
(issue 18 items 6-7; migration 0604). Kept apart from `incidents.models` so each stays small."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, NewId
from core.types import WrittenAt
from incidents.models import IncidentRow
from pipeline.models import VersionedPolicy


class ReportReview(IncidentRow, Base):
    """Leadership's review of a post-incident report: signed off (the rendered report frozen,
    with its SHA-256) or returned with a comment. The newest row is the report's state."""

    __tablename__ = "incident_report_reviews"

    decision: Mapped[str] = mapped_column(String(24))  # report_signed_off | report_returned
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    html: Mapped[str | None] = mapped_column(Text, nullable=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[WrittenAt]


class Attachment(Base):
    """A plan material (legal guide, process document, evidence), stored with its SHA-256."""

    __tablename__ = "incident_attachments"

    id: Mapped[NewId]
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[WrittenAt]


class AttachmentLink(IncidentRow, Base):
    """An attachment linked to an incident (one material serves many incidents)."""

    __tablename__ = "incident_attachment_links"
    __table_args__ = (
        Index("ix_incident_attachment_links_pair", "incident_id", "attachment_id", unique=True),
    )

    attachment_id: Mapped[str] = mapped_column(
        ForeignKey("incident_attachments.id", ondelete="CASCADE")
    )
    linked_by: Mapped[str] = mapped_column(String(128))
    linked_at: Mapped[WrittenAt]


class StoredIncidentPolicy(VersionedPolicy, Base):
    """A version of the incident thresholds and clocks; the newest is in force."""

    __tablename__ = "incident_policies"

    author: Mapped[str] = mapped_column(String(128))
