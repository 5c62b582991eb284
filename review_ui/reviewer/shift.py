"""A reviewer's own counts for the current shift, read from the action log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from core.clock import utcnow
from pipeline.models import Decision

SHIFT = timedelta(hours=8)
_COUNTED = (Action.CASE_SKIPPED, Action.CASE_ESCALATED, Action.CASE_RELEASED)


@dataclass(frozen=True)
class ShiftCounts:
    since: datetime
    decided: int
    by_action: dict[str, int]
    skipped: int
    escalated: int
    released: int


def shift_counts(session: Session, username: str, now: datetime | None = None) -> ShiftCounts:
    since = (now or utcnow()) - SHIFT
    by_action = {
        str(action): int(count)
        for action, count in session.execute(
            select(Decision.action, func.count())
            .where(
                Decision.decided_by == username,
                Decision.decider_type == "human",
                Decision.created_at >= since,
            )
            .group_by(Decision.action)
        )
    }
    events = {
        str(action): int(count)
        for action, count in session.execute(
            select(AuditEvent.action, func.count())
            .where(
                AuditEvent.actor_name == username,
                AuditEvent.timestamp >= since,
                AuditEvent.action.in_([a.value for a in _COUNTED]),
            )
            .group_by(AuditEvent.action)
        )
    }
    return ShiftCounts(
        since=since,
        decided=sum(by_action.values()),
        by_action=by_action,
        skipped=events.get(Action.CASE_SKIPPED.value, 0),
        escalated=events.get(Action.CASE_ESCALATED.value, 0),
        released=events.get(Action.CASE_RELEASED.value, 0),
    )
