"""Queries on the incident materials (attachments and their links to incidents) and on the
post-incident report's reviews."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.material_models import Attachment, AttachmentLink, ReportReview


def attachment_link(
    session: Session, incident_id: str, attachment_id: str
) -> AttachmentLink | None:
    return session.scalars(
        select(AttachmentLink).where(
            AttachmentLink.incident_id == incident_id,
            AttachmentLink.attachment_id == attachment_id,
        )
    ).first()


def linked(session: Session, incident_id: str) -> list[Attachment]:
    """The materials linked to the incident, in the order they were linked."""
    return list(
        session.scalars(
            select(Attachment)
            .join(AttachmentLink, AttachmentLink.attachment_id == Attachment.id)
            .where(AttachmentLink.incident_id == incident_id)
            .order_by(AttachmentLink.linked_at)
        )
    )


def listed(session: Session, limit: int = 200) -> list[Attachment]:
    """The library of materials, newest upload first."""
    return list(
        session.scalars(select(Attachment).order_by(Attachment.uploaded_at.desc()).limit(limit))
    )


def latest_review(session: Session, incident_id: str) -> ReportReview | None:
    return session.scalars(
        select(ReportReview)
        .where(ReportReview.incident_id == incident_id)
        .order_by(ReportReview.at.desc(), ReportReview.id)
        .limit(1)
    ).first()
