"""Milestones the action log already proves: the first enforcement on an incident's posts
and the first statement published about its claim stop their clocks without anyone typing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from audit.events import Action, Actor
from audit.models import AuditEvent
from incidents.models import Incident, IncidentMilestone, IncidentStatus, NarrativePost
from incidents.service import record_milestone

SYSTEM = Actor.system("incidents")
ENFORCED = (Action.REMOVAL_CONFIRMED.value, Action.POST_LABELLED.value)


def sync_milestones(session: Session) -> int:
    """Record missing first_action / public_statement milestones from the log; returns count."""
    added = 0
    live = session.scalars(select(Incident).where(Incident.status != IncidentStatus.CLOSED))
    for incident in live:
        have = set(
            session.scalars(
                select(IncidentMilestone.kind).where(IncidentMilestone.incident_id == incident.id)
            )
        )
        if "first_action" not in have and (at := _first_enforcement(session, incident)):
            record_milestone(session, incident.id, "first_action", SYSTEM, note="from log", at=at)
            added += 1
        if "public_statement" not in have and (at := _first_statement(session, incident)):
            record_milestone(
                session, incident.id, "public_statement", SYSTEM, note="from log", at=at
            )
            added += 1
    return added


def _first_enforcement(session: Session, incident: Incident) -> datetime | None:
    posts = select(NarrativePost.post_id).where(NarrativePost.incident_id == incident.id)
    return session.scalar(
        select(AuditEvent.timestamp)
        .where(AuditEvent.action.in_(ENFORCED), AuditEvent.post_id.in_(posts))
        .order_by(AuditEvent.timestamp)
        .limit(1)
    )


def _first_statement(session: Session, incident: Incident) -> datetime | None:
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
