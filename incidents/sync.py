"""Milestones the action log already proves: the first enforcement on an incident's posts
and the first statement published about its claim stop their clocks without anyone typing.

Publishing a statement records its milestone at once (`statement_published`, called with the
published event); the scan's `sync_milestones` is the fallback for anything recorded before.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from core.actors import Actor
from incidents.models import FINISHED, Incident, IncidentMilestone, NarrativePost
from incidents.service import record_milestone

if TYPE_CHECKING:
    from statements.models import Statement

SYSTEM = Actor.system("incidents")
ENFORCED = (Action.ENFORCEMENT_CONFIRMED.value, Action.POST_LABELLED.value)
# The plan step a published statement of each kind takes.
STATEMENT_MILESTONES = {
    "counter_statement": "public_statement",
    "security_incident": "public_statement",
    "service_interruption": "user_notice",
    "data_breach_users": "user_notice",
    "data_breach_regulator": "regulator_notice",
}


def statement_published(session: Session, statement: Statement) -> int:
    """The statement's incident (or the live incidents of its claim) reached the plan step
    the statement takes: its clock stops now, not when the next post makes the scan run."""
    kind = STATEMENT_MILESTONES.get(statement.kind, "public_statement")
    about = [Incident.id == statement.incident_id] if statement.incident_id else []
    if statement.claim_id:  # a real statement never stands in for a drill's
        about.append(and_(Incident.claim_id == statement.claim_id, Incident.is_drill.is_(False)))
    if not about:
        return 0
    found = session.scalars(
        select(Incident).where(or_(*about), Incident.status.not_in([s.value for s in FINISHED]))
    ).all()
    added = 0
    for incident in found:
        have = session.scalars(
            select(IncidentMilestone.id).where(
                IncidentMilestone.incident_id == incident.id, IncidentMilestone.kind == kind
            )
        ).first()
        if have is None:
            note = f"statement {statement.id} published"
            record_milestone(
                session, incident.id, kind, SYSTEM, note=note, at=statement.published_at
            )
            added += 1
    return added


def sync_milestones(session: Session) -> int:
    """Record missing first_action / public_statement milestones from the log; returns count."""
    added = 0
    live = session.scalars(
        select(Incident).where(Incident.status.not_in([s.value for s in FINISHED]))
    )
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
