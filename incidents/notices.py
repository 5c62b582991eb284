"""What each response group is told, queued in the outbox with the change (sent by `notify`).

Each group gets its own payload: the incident, and the tasks that are theirs (leadership sees
every task). A reported incident awaiting activation tells leadership only; activation tells
every group the plan gives work. A missed clock tells leadership and the incident's owner,
whatever the groups' grade bars.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from incidents.channels import EMAIL
from incidents.models import (
    Incident,
    IncidentTask,
    Notification,
)
from incidents.repository.groups import active_channels, group_emails, user_group_emails
from incidents.schemas import IncidentPayload, TaskPayload
from incidents.types import GroupKind


def incident_payload(incident: Incident) -> dict[str, Any]:
    return IncidentPayload.model_validate(incident).model_dump()


def task_payload(task: IncidentTask) -> dict[str, Any]:
    return TaskPayload.model_validate(task).model_dump()


def queue(
    session: Session,
    incident: Incident,
    event: str,
    *,
    groups: Iterable[str] | None = None,
    tasks: Sequence[IncidentTask] = (),
    extra: dict[str, Any] | None = None,
    any_grade: bool = False,
) -> int:
    """One notification per active channel (of `groups`, if given) whose grade bar the incident
    meets (or every one with `any_grade`); returns how many were queued."""
    channels = active_channels(session, incident.grade, groups, any_grade=any_grade)
    for channel in channels:
        mine = [t for t in tasks if channel.role in (t.group, GroupKind.LEADERSHIP)]
        payload = {
            "event": event,
            "role": channel.role,
            "incident": incident_payload(incident),
            "tasks": [task_payload(t) for t in mine],
            **(extra or {}),
        }
        session.add(
            Notification(
                incident_id=incident.id,
                group_id=channel.id,
                channel=channel.channel,
                recipients=member_emails(session, channel.role) if channel.channel == EMAIL else [],
                payload=payload,
            )
        )
    return len(channels)


def member_emails(session: Session, group: str) -> list[str]:
    return sorted({e for e in group_emails(session, group) if e})


def user_emails(session: Session, username: str) -> list[str]:
    """A person's addresses, from their response-group memberships."""
    return sorted({e for e in user_group_emails(session, username) if e})


def email_person(
    session: Session, incident: Incident, username: str, event: str, extra: dict[str, Any]
) -> bool:
    """An e-mail straight to one person (no group channel); False when no address is known."""
    addresses = user_emails(session, username)
    if not addresses:
        return False
    session.add(
        Notification(
            incident_id=incident.id,
            group_id=None,
            channel=EMAIL,
            recipients=addresses,
            payload={
                "event": event,
                "role": "owner",
                "incident": incident_payload(incident),
                "tasks": [],
                **extra,
            },
        )
    )
    return True


def notify_clock_missed(session: Session, incident: Incident, clock: str, due_at: datetime) -> None:
    extra = {"clock": {"name": clock, "due_at": due_at.isoformat()}}
    event = "incident.clock_missed"
    queue(session, incident, event, groups=[GroupKind.LEADERSHIP], extra=extra, any_grade=True)
    if incident.owner:
        email_person(session, incident, incident.owner, event, extra)
