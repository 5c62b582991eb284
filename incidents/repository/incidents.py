"""Queries on the incident rows and their milestones."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from incidents.models import FINISHED, Incident, IncidentMilestone, IncidentStatus


def incident_by_id(session: Session, incident_id: str) -> Incident | None:
    return session.get(Incident, incident_id)


def incidents_newest_first(
    session: Session,
    *,
    limit: int,
    type: str | None = None,
    grade: int | None = None,
    status: str | None = None,
    include_drills: bool = False,
) -> Sequence[Incident]:
    """Incidents by when they opened, newest first; drills only with `include_drills`."""
    query = select(Incident).order_by(Incident.opened_at.desc()).limit(limit)
    if type is not None:
        query = query.where(Incident.type == type)
    if grade is not None:
        query = query.where(Incident.grade == grade)
    if status is not None:
        query = query.where(Incident.status == status)
    if not include_drills:
        query = query.where(Incident.is_drill.is_(False))
    return session.scalars(query).all()


def live_incident_of_key(session: Session, key: str, is_drill: bool) -> Incident | None:
    """The newest incident of the narrative key not closed yet."""
    return session.scalars(
        select(Incident)
        .where(
            Incident.key == key,
            Incident.is_drill.is_(is_drill),
            Incident.status != IncidentStatus.CLOSED,
        )
        .order_by(Incident.opened_at.desc())
    ).first()


def unfinished_incidents(
    session: Session, about: Sequence[ColumnElement[bool]] | None = None
) -> Sequence[Incident]:
    """Incidents not finished yet; with `about`, only those meeting any of its conditions."""
    query = select(Incident)
    if about is not None:
        query = query.where(or_(*about))
    return session.scalars(query.where(Incident.status.not_in([s.value for s in FINISHED]))).all()


def has_milestone(session: Session, incident_id: str, kind: str) -> bool:
    found = session.scalars(
        select(IncidentMilestone.id).where(
            IncidentMilestone.incident_id == incident_id, IncidentMilestone.kind == kind
        )
    ).first()
    return found is not None


def milestone_kinds(session: Session, incident_id: str) -> set[str]:
    return set(
        session.scalars(
            select(IncidentMilestone.kind).where(IncidentMilestone.incident_id == incident_id)
        )
    )


def milestones_in_order(session: Session, incident_id: str) -> Sequence[IncidentMilestone]:
    return session.scalars(
        select(IncidentMilestone)
        .where(IncidentMilestone.incident_id == incident_id)
        .order_by(IncidentMilestone.at)
    ).all()
