"""Deadline clocks per incident: started by grade, stopped by a milestone, logged met/missed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from audit.events import Action
from core.clock import utcnow
from incidents.events import record_event
from incidents.models import ClockStatus, Incident, IncidentClock
from incidents.notices import notify_clock_missed
from incidents.repository.incidents import incident_by_id
from incidents.repository.response import clock_names, overdue_clocks, running_clocks
from incidents.severity import ClockSpec, IncidentPolicy
from incidents.system_notes import SYSTEM
from incidents.types import IncidentType, profile

ASSESSMENT = "assessment"  # the milestone leadership's assessment or decision records


def specs_for(incident: Incident, policy: IncidentPolicy) -> tuple[ClockSpec, ...]:
    """Misinformation runs the policy's clocks; other types the policy's clocks for the type
    (both edited with the plan), else the type's built-in ones."""
    if incident.type == IncidentType.MISINFORMATION:
        return policy.clocks
    return policy.type_clocks.get(incident.type) or profile(incident.type).clocks


def start_assessment_clock(session: Session, incident: Incident, now: datetime) -> None:
    """An incident waiting for leadership: its initial assessment is due within the type's time."""
    spec = ClockSpec("initial assessment", ASSESSMENT, profile(incident.type).assess_within)
    _start(session, incident, (spec,), now)


def start_clocks(
    session: Session, incident: Incident, policy: IncidentPolicy, now: datetime
) -> list[IncidentClock]:
    """Start each configured clock the incident's grade calls for, once."""
    return _start(session, incident, specs_for(incident, policy), now)


def _start(
    session: Session, incident: Incident, specs: tuple[ClockSpec, ...], now: datetime
) -> list[IncidentClock]:
    existing = clock_names(session, incident.id)
    started = []
    for spec in specs:
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
    clocks = running_clocks(session, incident.id, milestone)
    for clock in clocks:
        status = ClockStatus.MET if at <= clock.due_at else ClockStatus.MISSED
        _close(session, incident, clock, status, at)


def cancel_clocks(session: Session, incident: Incident, at: datetime) -> None:
    """A dismissed incident's deadlines no longer apply: logged as cancelled, never missed."""
    clocks = running_clocks(session, incident.id)
    for clock in clocks:
        _close(session, incident, clock, ClockStatus.CANCELLED, at)


def check_overdue(session: Session, now: datetime | None = None) -> int:
    """Mark running clocks past their due time as missed (and log it); a missed clock tells
    the incident's owner and leadership."""
    now = now or utcnow()
    overdue = overdue_clocks(session, now)
    for clock in overdue:
        incident = incident_by_id(session, clock.incident_id)
        if incident is not None:
            _close(session, incident, clock, ClockStatus.MISSED, now)
            notify_clock_missed(session, incident, clock.name, clock.due_at)
    return len(overdue)


_LOGGED_AS = {
    ClockStatus.MET: Action.INCIDENT_CLOCK_MET,
    ClockStatus.MISSED: Action.INCIDENT_CLOCK_MISSED,
    ClockStatus.CANCELLED: Action.INCIDENT_CLOCK_CANCELLED,
}


def _close(
    session: Session,
    incident: Incident,
    clock: IncidentClock,
    status: ClockStatus,
    at: datetime,
) -> None:
    """End a clock as met, missed or cancelled at `at`, and log it."""
    clock.status = status
    clock.resolved_at = at
    record_event(
        session,
        _LOGGED_AS[status],
        SYSTEM,
        incident,
        other={"clock": clock.name},
        after={"due_at": clock.due_at.isoformat(), "resolved_at": at.isoformat()},
        at=at,
    )


def remaining_seconds(clock: IncidentClock, now: datetime | None = None) -> float | None:
    """Seconds left on a running clock (negative when overdue); None once resolved."""
    if clock.status != ClockStatus.RUNNING:
        return None
    return (clock.due_at - (now or utcnow())).total_seconds()
