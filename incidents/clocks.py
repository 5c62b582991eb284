"""Deadline clocks per incident: started by grade, stopped by a milestone, logged met/missed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, Actor, Subject
from audit.service import record
from core.clock import utcnow
from incidents.models import ClockStatus, Incident, IncidentClock
from incidents.severity import IncidentPolicy

SYSTEM = Actor.system("incidents")


def start_clocks(
    session: Session, incident: Incident, policy: IncidentPolicy, now: datetime
) -> list[IncidentClock]:
    """Start each configured clock the incident's grade calls for, once."""
    existing = set(
        session.scalars(
            select(IncidentClock.name).where(IncidentClock.incident_id == incident.id)
        ).all()
    )
    started = []
    for spec in policy.clocks:
        if incident.grade <= spec.from_grade and spec.name not in existing:
            clock = IncidentClock(
                incident_id=incident.id,
                name=spec.name,
                milestone=spec.milestone,
                started_at=now,
                due_at=now + spec.within,
                status=ClockStatus.RUNNING,
            )
            session.add(clock)
            started.append(clock)
    return started


def stop_clocks(session: Session, incident: Incident, milestone: str, at: datetime) -> None:
    clocks = session.scalars(
        select(IncidentClock).where(
            IncidentClock.incident_id == incident.id,
            IncidentClock.milestone == milestone,
            IncidentClock.status == ClockStatus.RUNNING,
        )
    ).all()
    for clock in clocks:
        _resolve(session, incident, clock, met=at <= clock.due_at, at=at)


def check_overdue(session: Session, now: datetime | None = None) -> int:
    """Mark running clocks past their due time as missed (and log it)."""
    now = now or utcnow()
    overdue = session.scalars(
        select(IncidentClock).where(
            IncidentClock.status == ClockStatus.RUNNING, IncidentClock.due_at < now
        )
    ).all()
    for clock in overdue:
        incident = session.get(Incident, clock.incident_id)
        if incident is not None:
            _resolve(session, incident, clock, met=False, at=now)
    return len(overdue)


def _resolve(
    session: Session, incident: Incident, clock: IncidentClock, *, met: bool, at: datetime
) -> None:
    clock.status = ClockStatus.MET if met else ClockStatus.MISSED
    clock.resolved_at = at
    record(
        session,
        Action.INCIDENT_CLOCK_MET if met else Action.INCIDENT_CLOCK_MISSED,
        SYSTEM,
        Subject(incident_id=incident.id, other={"clock": clock.name}),
        after={"due_at": clock.due_at.isoformat(), "resolved_at": at.isoformat()},
        is_drill=incident.is_drill,
        at=at,
    )


def remaining_seconds(clock: IncidentClock, now: datetime | None = None) -> float | None:
    """Seconds left on a running clock (negative when overdue); None once resolved."""
    if clock.status != ClockStatus.RUNNING:
        return None
    return (clock.due_at - (now or utcnow())).total_seconds()
