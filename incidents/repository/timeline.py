"""What incidents read of the action log: an incident's events and the moments its milestones
can be proven from."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from incidents.models import Incident
from incidents.repository.narratives import narrative_post_ids


def was_graded(session: Session, incident_id: str) -> bool:
    count = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.incident_id == incident_id, AuditEvent.action == Action.INCIDENT_GRADED)
    )
    return bool(count)


def incident_timeline(session: Session, incident_id: str) -> Sequence[AuditEvent]:
    """The incident's events in log order, its posts being linked left out."""
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.incident_id == incident_id)
        .where(AuditEvent.action != "incident.post_linked")
        .order_by(AuditEvent.seq)
    ).all()


def events_of_incident_and_posts(
    session: Session, incident_id: str, post_ids: Collection[str]
) -> list[AuditEvent]:
    """The events about the incident or any of the posts, in log order."""
    clauses = [AuditEvent.incident_id == incident_id]
    if post_ids:
        clauses.append(AuditEvent.post_id.in_(post_ids))
    return list(session.scalars(select(AuditEvent).where(or_(*clauses)).order_by(AuditEvent.seq)))


def first_enforcement_at(
    session: Session, incident_id: str, actions: Collection[str]
) -> datetime | None:
    """When one of `actions` (enforcement) first hit a post of the incident's narrative."""
    return session.scalar(
        select(AuditEvent.timestamp)
        .where(
            AuditEvent.action.in_(actions), AuditEvent.post_id.in_(narrative_post_ids(incident_id))
        )
        .order_by(AuditEvent.timestamp)
        .limit(1)
    )


def first_statement_at(session: Session, incident: Incident) -> datetime | None:
    """When a statement about the incident, or about its claim, was first published."""
    about = [AuditEvent.incident_id == incident.id]
    if incident.claim_id:
        # The log's claim_id lives in the shipped document; statements name their incident or
        # are found through the claim's statement events' subject.
        about.append(AuditEvent.document["veracity"]["claim_id"].as_string() == incident.claim_id)
    return session.scalar(
        select(AuditEvent.timestamp)
        .where(AuditEvent.action == Action.STATEMENT_PUBLISHED.value, or_(*about))
        .order_by(AuditEvent.timestamp)
        .limit(1)
    )
