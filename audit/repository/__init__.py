"""Queries on the action-log table that read events by what they record: exports, and what the
review console and the supervisor's pages read (a post's history, a reviewer's own counts, the
cases a reviewer saw, escalations and restorations); and the legal holds that are in force.

The log store's own queries are in the modules here: `chain` (the chain head, hashes, retention's
ranges), `outbox` (shipping to Elasticsearch) and `search` (the database log store's reads)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent, LegalHold


def export_events_newest_first(session: Session, *, limit: int) -> Sequence[AuditEvent]:
    """The latest `log.exported` events (one per finished export), newest first."""
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == Action.LOG_EXPORTED.value)
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    ).all()


def export_manifest(session: Session, export_id: str) -> dict[str, Any] | None:
    """A finished export's manifest as its `log.exported` event stored it; None if none."""
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == Action.LOG_EXPORTED.value,
            AuditEvent.document["veracity"]["subject"]["export_id"].as_string() == export_id,
        )
    ).first()
    if event is None:
        return None
    veracity: Any = event.document["veracity"]
    return dict(veracity["after"])


def post_events_newest_first(
    session: Session, post_id: str, actions: Collection[str], limit: int
) -> list[AuditEvent]:
    """The post's newest `limit` events among `actions`, newest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.post_id == post_id, AuditEvent.action.in_(actions))
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        ).all()
    )


def latest_post_event(session: Session, post_id: str, action: str) -> AuditEvent | None:
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.post_id == post_id, AuditEvent.action == action)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()


def actions_of_actor(
    session: Session, actor_name: str, since: datetime, actions: Collection[str]
) -> dict[str, int]:
    """How many of each of `actions` the actor did since `since`."""
    return {
        str(action): int(count)
        for action, count in session.execute(
            select(AuditEvent.action, func.count())
            .where(
                AuditEvent.actor_name == actor_name,
                AuditEvent.timestamp >= since,
                AuditEvent.action.in_(actions),
            )
            .group_by(AuditEvent.action)
        )
    }


def cases_seen_by(
    session: Session, username: str, since: datetime, actions: Collection[str]
) -> int:
    """Distinct real cases the user acted on with one of `actions` since `since`, or that a
    reassignment gave to them."""
    assigned_to = AuditEvent.document["veracity"]["after"]["claimed_by"].as_string()
    count = session.scalar(
        select(func.count(func.distinct(AuditEvent.case_id))).where(
            AuditEvent.timestamp >= since,
            AuditEvent.case_id.is_not(None),
            AuditEvent.is_drill.is_(False),
            or_(
                and_(AuditEvent.actor_name == username, AuditEvent.action.in_(actions)),
                and_(AuditEvent.action == Action.CASE_REASSIGNED.value, assigned_to == username),
            ),
        )
    )
    return int(count or 0)


def escalations_per_actor(session: Session, since: datetime) -> dict[str, int]:
    """How many real cases each actor escalated since `since`."""
    rows = session.execute(
        select(AuditEvent.actor_name, func.count())
        .where(
            AuditEvent.action == Action.CASE_ESCALATED.value,
            AuditEvent.timestamp >= since,
            AuditEvent.is_drill.is_(False),
        )
        .group_by(AuditEvent.actor_name)
    ).all()
    return {str(actor): int(count) for actor, count in rows}


def restoration_times(
    session: Session, since: datetime, *, include_drills: bool = False
) -> list[datetime]:
    """When each post restored since `since` was restored (drills left out unless asked for)."""
    real = [] if include_drills else [AuditEvent.is_drill.is_(False)]
    return list(
        session.scalars(
            select(AuditEvent.timestamp).where(
                AuditEvent.action == Action.POST_RESTORED.value,
                AuditEvent.timestamp >= since,
                *real,
            )
        )
    )


def post_ids_of(
    session: Session, case_ids: Collection[str], incident_ids: Collection[str]
) -> list[str]:
    """The distinct posts that events about any of the cases or incidents name."""
    found = session.scalars(
        select(AuditEvent.post_id)
        .where(
            AuditEvent.post_id.is_not(None),
            AuditEvent.case_id.in_(case_ids) | AuditEvent.incident_id.in_(incident_ids),
        )
        .distinct()
    )
    return [p for p in found if p]


def legal_hold(session: Session, hold_id: str) -> LegalHold | None:
    return session.get(LegalHold, hold_id)


def unreleased_hold_on(session: Session, subject_type: str, subject_id: str) -> LegalHold | None:
    return session.scalars(
        select(LegalHold).where(
            LegalHold.subject_type == subject_type,
            LegalHold.subject_id == subject_id,
            LegalHold.released_at.is_(None),
        )
    ).first()


def unreleased_holds_oldest_first(session: Session) -> list[LegalHold]:
    return list(
        session.scalars(
            select(LegalHold).where(LegalHold.released_at.is_(None)).order_by(LegalHold.set_at)
        )
    )
