"""The pipeline's side of the dashboards: decision times against due times, throughput and
removals. Drill data is left out unless `include_drills` is asked for."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from pipeline.models import ActionStatus, Decision, EnforcementAction, Post, ReviewCase


def _real(flag: InstrumentedAttribute[bool], include_drills: bool) -> list[ColumnElement[bool]]:
    return [] if include_drills else [flag.is_(False)]


def first_decisions_since(
    session: Session, since: datetime, *, include_drills: bool = False
) -> list[tuple[datetime, datetime]]:
    """(due at, first decision at) of each case first decided since `since`. The first decision
    is the earliest of all the case's decisions, taken before the window applies: a later one
    (a second review, a correction) made inside the window does not make an old case count."""
    first = func.min(Decision.created_at)
    rows = session.execute(
        select(ReviewCase.due_at, first)
        .join(Decision, Decision.case_id == ReviewCase.id)
        .where(*_real(ReviewCase.is_drill, include_drills))
        .group_by(ReviewCase.id, ReviewCase.due_at)
        .having(first >= since)
    ).all()
    return [(due, decided) for due, decided in rows]


def count_overdue(
    session: Session, statuses: Collection[str], now: datetime, *, include_drills: bool = False
) -> int:
    """Cases in `statuses` whose due time has passed."""
    overdue = session.scalar(
        select(func.count())
        .select_from(ReviewCase)
        .where(
            ReviewCase.status.in_(statuses),
            ReviewCase.due_at < now,
            *_real(ReviewCase.is_drill, include_drills),
        )
    )
    return int(overdue or 0)


def human_decision_times(
    session: Session, since: datetime, *, include_drills: bool = False
) -> list[datetime]:
    return list(
        session.scalars(
            select(Decision.created_at)
            .join(Post, Post.id == Decision.post_id)
            .where(
                Decision.created_at >= since,
                Decision.decider_type == "human",
                *_real(Post.is_drill, include_drills),
            )
        ).all()
    )


def confirmed_removal_times(
    session: Session, since: datetime, *, include_drills: bool = False
) -> list[datetime | None]:
    """When each removal confirmed since `since` was confirmed."""
    return list(
        session.scalars(
            select(EnforcementAction.confirmed_at)
            .join(Post, Post.id == EnforcementAction.post_id)
            .where(
                EnforcementAction.action == "remove",
                EnforcementAction.status == ActionStatus.CONFIRMED,
                EnforcementAction.confirmed_at >= since,
                *_real(Post.is_drill, include_drills),
            )
        )
    )
