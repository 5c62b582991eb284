"""Queries on the response tables: an incident's clocks, notifications and tasks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, or_, select
from sqlalchemy.orm import Session

from incidents.models import ClockStatus, IncidentClock, IncidentTask, Notification, ResponseGroup


def clocks_by_due(session: Session, incident_id: str) -> Sequence[IncidentClock]:
    """The incident's clocks, soonest due first."""
    return session.scalars(
        select(IncidentClock)
        .where(IncidentClock.incident_id == incident_id)
        .order_by(IncidentClock.due_at)
    ).all()


def notifications_with_group(
    session: Session, incident_id: str
) -> Sequence[Row[Notification, str | None]]:
    """(notification, its group's role or None for the owner) for the incident, oldest first."""
    return session.execute(
        select(Notification, ResponseGroup.role)
        .outerjoin(ResponseGroup, ResponseGroup.id == Notification.group_id)
        .where(Notification.incident_id == incident_id)
        .order_by(Notification.created_at)
    ).all()


def clock_names(session: Session, incident_id: str) -> set[str]:
    return set(
        session.scalars(
            select(IncidentClock.name).where(IncidentClock.incident_id == incident_id)
        ).all()
    )


def running_clocks(
    session: Session, incident_id: str, milestone: str | None = None
) -> Sequence[IncidentClock]:
    """The incident's running clocks; with `milestone`, only those that milestone stops."""
    about = [IncidentClock.incident_id == incident_id]
    if milestone is not None:
        about.append(IncidentClock.milestone == milestone)
    return session.scalars(
        select(IncidentClock).where(*about, IncidentClock.status == ClockStatus.RUNNING)
    ).all()


def overdue_clocks(session: Session, now: datetime) -> Sequence[IncidentClock]:
    """Running clocks past their due time, of any incident."""
    return session.scalars(
        select(IncidentClock).where(
            IncidentClock.status == ClockStatus.RUNNING, IncidentClock.due_at < now
        )
    ).all()


def due_notification_ids(
    session: Session, now: datetime, max_attempts: int, incident_id: str | None = None
) -> Sequence[str]:
    """Unsent notifications with attempts left whose retry time has come (of one incident, if
    given), oldest first."""
    only = () if incident_id is None else (Notification.incident_id == incident_id,)
    return session.scalars(
        select(Notification.id)
        .where(
            *only,
            Notification.sent_at.is_(None),
            Notification.attempts < max_attempts,
            or_(
                Notification.next_attempt_at.is_(None),
                Notification.next_attempt_at <= now,
            ),
        )
        .order_by(Notification.created_at)
    ).all()


def notifications_of(session: Session, incident_id: str) -> Sequence[Notification]:
    """The incident's notifications, oldest first."""
    return session.scalars(
        select(Notification)
        .where(Notification.incident_id == incident_id)
        .order_by(Notification.created_at)
    ).all()


def lock_notification(session: Session, notification_id: str) -> Notification | None:
    """The notification, its row locked until the transaction ends (one sender at a time)."""
    return session.get(Notification, notification_id, with_for_update=True)


def tasks_of(session: Session, incident_id: str) -> list[IncidentTask]:
    """The incident's tasks, soonest due first."""
    return list(
        session.scalars(
            select(IncidentTask)
            .where(IncidentTask.incident_id == incident_id)
            .order_by(IncidentTask.due_at, IncidentTask.created_at)
        )
    )
