"""A reviewer's own counts for the current shift, read from the action log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from audit.events import Action
from audit.repository import actions_of_actor
from core.clock import utcnow
from pipeline.repository.decisions import human_decisions_per_action

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
    by_action = human_decisions_per_action(session, username, since)
    events = actions_of_actor(session, username, since, [a.value for a in _COUNTED])
    return ShiftCounts(
        since=since,
        decided=sum(by_action.values()),
        by_action=by_action,
        skipped=events.get(Action.CASE_SKIPPED.value, 0),
        escalated=events.get(Action.CASE_ESCALATED.value, 0),
        released=events.get(Action.CASE_RELEASED.value, 0),
    )
