"""The numbers behind the dashboards, read from the pipeline's tables and the action log.

Drill data is left out unless `include_drills` is asked for: a drill's cases, decisions and
removals are not the team's work and would skew queue depth, SLA and throughput."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from audit.repository import restoration_times
from core.clock import as_utc, utcnow
from pipeline.models import UNDECIDED_STATUSES
from pipeline.repository.cases import cases_per_band
from pipeline.repository.figures import (
    confirmed_removal_times,
    count_overdue,
    first_decisions_since,
    human_decision_times,
)


@dataclass(frozen=True)
class SlaAttainment:
    decided: int
    on_time: int
    overdue_open: int

    @property
    def percent(self) -> float | None:
        return None if not self.decided else 100.0 * self.on_time / self.decided


def queue_depth(session: Session, *, include_drills: bool = False) -> dict[str, int]:
    return cases_per_band(session, UNDECIDED_STATUSES, include_drills=include_drills)


def sla_attainment(
    session: Session,
    days: int = 7,
    now: datetime | None = None,
    *,
    include_drills: bool = False,
) -> SlaAttainment:
    now = now or utcnow()
    rows = first_decisions_since(session, now - timedelta(days=days), include_drills=include_drills)
    on_time = sum(1 for due, decided in rows if as_utc(decided) <= as_utc(due))
    overdue = count_overdue(session, UNDECIDED_STATUSES, now, include_drills=include_drills)
    return SlaAttainment(len(rows), on_time, overdue)


def _hour(at: datetime) -> datetime:
    return as_utc(at).replace(minute=0, second=0, microsecond=0)


def decisions_per_hour(
    session: Session,
    hours: int = 24,
    now: datetime | None = None,
    *,
    include_drills: bool = False,
) -> list[tuple[str, int]]:
    now = now or utcnow()
    start = _hour(now) - timedelta(hours=hours - 1)
    stamps = human_decision_times(session, start, include_drills=include_drills)
    counts = Counter(_hour(at) for at in stamps)
    slots = [start + timedelta(hours=i) for i in range(hours)]
    return [(slot.strftime("%H:00"), counts.get(slot, 0)) for slot in slots]


def removals_and_restorations(
    session: Session,
    days: int = 14,
    now: datetime | None = None,
    *,
    include_drills: bool = False,
) -> list[tuple[str, int, int]]:
    now = now or utcnow()
    start = (now - timedelta(days=days - 1)).date()
    since = now - timedelta(days=days)
    removed = Counter(
        as_utc(at).date()
        for at in confirmed_removal_times(session, since, include_drills=include_drills)
        if at is not None
    )
    restored = Counter(
        as_utc(at).date() for at in restoration_times(session, since, include_drills=include_drills)
    )
    out = []
    for i in range(days):
        day = start + timedelta(days=i)
        out.append((day.strftime("%m-%d"), removed.get(day, 0), restored.get(day, 0)))
    return out
