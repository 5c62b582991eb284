"""What scoring a drill reads: the drill incidents it opened, which of its posts they grouped,
and the drill's events."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from incidents.models import Incident, NarrativePost


def drill_incidents_since(session: Session, started: datetime) -> list[Incident]:
    return list(
        session.scalars(
            select(Incident).where(Incident.is_drill.is_(True), Incident.opened_at >= started)
        )
    )


def grouped_post_ids(
    session: Session, incident_ids: Collection[str], post_ids: Collection[str]
) -> set[str]:
    """Which of the posts the incidents' narratives took in."""
    return set(
        session.scalars(
            select(NarrativePost.post_id).where(
                NarrativePost.incident_id.in_(incident_ids),
                NarrativePost.post_id.in_(post_ids),
            )
        )
    )


def drill_events_of_posts(session: Session, post_ids: Collection[str]) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.post_id.in_(post_ids), AuditEvent.is_drill.is_(True))
            .order_by(AuditEvent.seq)
        )
    )


def first_milestone_at(session: Session, incident_ids: Collection[str]) -> datetime | None:
    """When any of the incidents first recorded a milestone."""
    return session.scalar(
        select(AuditEvent.timestamp)
        .where(
            AuditEvent.action == Action.INCIDENT_MILESTONE,
            AuditEvent.incident_id.in_(incident_ids),
        )
        .order_by(AuditEvent.timestamp)
        .limit(1)
    )
