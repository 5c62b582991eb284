"""The numbers behind the dashboards, read from the pipeline's tables and the action log.

Drill data is left out unless `include_drills` is asked for: a drill's cases, decisions and
removals are not the team's work and would skew queue depth, SLA and throughput."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from audit.events import Action
from audit.models import AuditEvent
from core.clock import as_utc, utcnow
from pipeline.models import (
    ActionStatus,
    CaseStatus,
    Decision,
    EnforcementAction,
    Post,
    ReviewCase,
)

LIVE = (CaseStatus.OPEN, CaseStatus.CLAIMED, CaseStatus.ESCALATED)


@dataclass(frozen=True)
class SlaAttainment:
    decided: int
    on_time: int
    overdue_open: int

    @property
    def percent(self) -> float | None:
        return None if not self.decided else 100.0 * self.on_time / self.decided


def _real(flag: InstrumentedAttribute[bool], include_drills: bool) -> list[ColumnElement[bool]]:
    return [] if include_drills else [flag.is_(False)]


def queue_depth(session: Session, *, include_drills: bool = False) -> dict[str, int]:
    rows = session.execute(
        select(ReviewCase.band, func.count())
        .where(ReviewCase.status.in_(LIVE), *_real(ReviewCase.is_drill, include_drills))
        .group_by(ReviewCase.band)
    ).all()
    return {str(band): int(count) for band, count in rows}


def sla_attainment(
    session: Session,
    days: int = 7,
    now: datetime | None = None,
    *,
    include_drills: bool = False,
) -> SlaAttainment:
    now = now or utcnow()
    real = _real(ReviewCase.is_drill, include_drills)
    rows = session.execute(
        select(ReviewCase.due_at, func.min(Decision.created_at))
        .join(Decision, Decision.case_id == ReviewCase.id)
        .where(Decision.created_at >= now - timedelta(days=days), *real)
        .group_by(ReviewCase.id, ReviewCase.due_at)
    ).all()
    on_time = sum(1 for due, decided in rows if as_utc(decided) <= as_utc(due))
    overdue = session.scalar(
        select(func.count())
        .select_from(ReviewCase)
        .where(ReviewCase.status.in_(LIVE), ReviewCase.due_at < now, *real)
    )
    return SlaAttainment(len(rows), on_time, int(overdue or 0))


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
    stamps = session.scalars(
        select(Decision.created_at)
        .join(Post, Post.id == Decision.post_id)
        .where(
            Decision.created_at >= start,
            Decision.decider_type == "human",
            *_real(Post.is_drill, include_drills),
        )
    ).all()
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
    removed = Counter(
        as_utc(at).date()
        for at in session.scalars(
            select(EnforcementAction.confirmed_at)
            .join(Post, Post.id == EnforcementAction.post_id)
            .where(
                EnforcementAction.action == "remove",
                EnforcementAction.status == ActionStatus.CONFIRMED,
                EnforcementAction.confirmed_at >= now - timedelta(days=days),
                *_real(Post.is_drill, include_drills),
            )
        )
        if at is not None
    )
    restored = Counter(
        as_utc(at).date()
        for at in session.scalars(
            select(AuditEvent.timestamp).where(
                AuditEvent.action == Action.POST_RESTORED.value,
                AuditEvent.timestamp >= now - timedelta(days=days),
                *_real(AuditEvent.is_drill, include_drills),
            )
        )
    )
    out = []
    for i in range(days):
        day = start + timedelta(days=i)
        out.append((day.strftime("%m-%d"), removed.get(day, 0), restored.get(day, 0)))
    return out
