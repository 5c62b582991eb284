"""Queries on the incident rows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidents.models import Incident


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
