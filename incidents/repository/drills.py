"""What scoring a drill reads: the drill incidents that took in its posts, which of its posts
they grouped, and the drill's events."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from incidents.models import Incident, NarrativePost
from pipeline.models import Post


def drill_posts_sent(session: Session, post_ids: Collection[str]) -> list[str]:
    """Which of the ids an earlier drill already sent (stored as drill posts)."""
    return list(
        session.scalars(
            select(Post.id).where(Post.id.in_(post_ids), Post.is_drill.is_(True)).order_by(Post.id)
        )
    )


def drill_incidents_of_posts(session: Session, post_ids: Collection[str]) -> list[Incident]:
    """The drill incidents that took in any of the posts (opened by them or joined by them)."""
    took_in = select(NarrativePost.incident_id).where(NarrativePost.post_id.in_(post_ids))
    return list(
        session.scalars(
            select(Incident)
            .where(Incident.id.in_(took_in), Incident.is_drill.is_(True))
            .order_by(Incident.opened_at)
        )
    )


def first_seen_in(
    session: Session, incident_ids: Collection[str], post_ids: Collection[str]
) -> dict[str, datetime]:
    """Per incident, when the first of the posts was seen under its narrative."""
    rows = session.execute(
        select(NarrativePost.incident_id, func.min(NarrativePost.observed_at))
        .where(NarrativePost.incident_id.in_(incident_ids), NarrativePost.post_id.in_(post_ids))
        .group_by(NarrativePost.incident_id)
    )
    return {str(incident): at for incident, at in rows}


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


def drill_events_of_posts(
    session: Session, post_ids: Collection[str], since: datetime
) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.post_id.in_(post_ids),
                AuditEvent.is_drill.is_(True),
                AuditEvent.timestamp >= since,
            )
            .order_by(AuditEvent.seq)
        )
    )


def first_milestone_at(
    session: Session, incident_ids: Collection[str], since: datetime
) -> datetime | None:
    """When any of the incidents first recorded a milestone from `since` on."""
    return session.scalar(
        select(AuditEvent.timestamp)
        .where(
            AuditEvent.action == Action.INCIDENT_MILESTONE,
            AuditEvent.incident_id.in_(incident_ids),
            AuditEvent.timestamp >= since,
        )
        .order_by(AuditEvent.timestamp)
        .limit(1)
    )
