"""The action-log event about an incident: its id in the subject, a drill's events marked."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from incidents.models import Incident


class EventFields(TypedDict, total=False):
    reason: str | None
    policy_version: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime | None


def record_event(
    session: Session,
    action: Action,
    actor: Actor,
    incident: Incident,
    *,
    post_id: str | None = None,
    case_id: str | None = None,
    claim_id: str | None = None,
    other: dict[str, str] | None = None,
    **fields: Unpack[EventFields],
) -> None:
    """`record` an event on `incident` (also on a post, case or claim where given)."""
    subject = Subject(
        incident_id=incident.id,
        post_id=post_id,
        case_id=case_id,
        claim_id=claim_id,
        other=other or {},
    )
    record(session, action, actor, subject, is_drill=incident.is_drill, **fields)
