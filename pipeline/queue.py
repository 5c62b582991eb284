"""The review queue: open cases from routed posts, claim with a lease, release.

Claiming uses `FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent reviewers never get the
same case; SQLite serialises writers, which gives the same guarantee in the embedded default.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from audit.events import Action, Actor, Subject
from audit.service import record
from classifier.thresholds import Band
from core.clock import utcnow
from core.errors import Conflict, NotFound
from pipeline.models import CaseStatus, Post, PostStatus, ReviewCase, Score
from pipeline.routing import Reach, RoutingPolicy, route

DEFAULT_LEASE = timedelta(minutes=10)


def open_case_for_post(
    session: Session, post_id: str, policy: RoutingPolicy, now: datetime | None = None
) -> ReviewCase | None:
    """Route one scored post; returns its case (new or existing) or None when it is not queued."""
    now = now or utcnow()
    post = session.get(Post, post_id)
    if post is None:
        return None  # deleted since; nothing to do
    live = session.scalars(
        select(ReviewCase).where(
            ReviewCase.post_id == post_id, ReviewCase.status != CaseStatus.DECIDED
        )
    ).first()
    if live is not None:
        return live  # already routed (a redelivered task)
    score = session.scalars(
        select(Score).where(Score.post_id == post_id).order_by(Score.created_at.desc()).limit(1)
    ).first()
    if score is None:
        return None
    system = Actor.system("router")
    decision = route(
        Band(score.band), score.score, Reach(post.views, post.shares, post.created_at), now, policy
    )
    record(
        session,
        Action.POST_ROUTED,
        system,
        Subject(post_id=post_id),
        policy_version=policy.version,
        model_version=score.model_version,
        score=score.score,
        after={"queue": decision.queue, "band": decision.band, "priority": decision.priority},
        is_drill=post.is_drill,
    )
    if not decision.queue or decision.due_at is None:
        return None
    case = ReviewCase(
        post_id=post_id,
        band=decision.band,
        priority=decision.priority,
        status=CaseStatus.OPEN,
        policy_version=policy.version,
        due_at=decision.due_at,
    )
    session.add(case)
    session.flush()
    before_status = post.status
    post.status = PostStatus.QUEUED
    record(
        session,
        Action.CASE_QUEUED,
        system,
        Subject(post_id=post_id, case_id=case.id),
        policy_version=policy.version,
        before={"post_status": before_status},
        after={
            "case_status": case.status,
            "priority": case.priority,
            "due_at": case.due_at.isoformat(),
        },
        is_drill=post.is_drill,
    )
    return case


def claim_next(
    session: Session, actor: Actor, *, lease: timedelta = DEFAULT_LEASE, now: datetime | None = None
) -> ReviewCase | None:
    """Give the reviewer the highest-priority open case (or one whose lease ran out)."""
    now = now or utcnow()
    claimable = or_(
        ReviewCase.status == CaseStatus.OPEN,
        and_(ReviewCase.status == CaseStatus.CLAIMED, ReviewCase.lease_expires_at < now),
    )
    case = session.scalars(
        select(ReviewCase)
        .where(claimable)
        .order_by(ReviewCase.priority.desc(), ReviewCase.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if case is None:
        return None
    before = {"status": case.status, "claimed_by": case.claimed_by}
    case.status = CaseStatus.CLAIMED
    case.claimed_by = actor.name
    case.lease_expires_at = now + lease
    record(
        session,
        Action.CASE_CLAIMED,
        actor,
        Subject(post_id=case.post_id, case_id=case.id),
        before=before,
        after={"status": case.status, "lease_expires_at": case.lease_expires_at.isoformat()},
    )
    return case


def held_case(
    session: Session, case_id: str, actor: Actor, now: datetime | None = None
) -> ReviewCase:
    """The case, if this reviewer holds a live lease on it; otherwise a clear refusal."""
    now = now or utcnow()
    case = session.get(ReviewCase, case_id, with_for_update=True)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    if case.status == CaseStatus.DECIDED:
        raise Conflict(f"case {case_id} is already decided", code="case_decided")
    if (
        case.claimed_by != actor.name
        or case.lease_expires_at is None
        or case.lease_expires_at < now
    ):
        raise Conflict(f"you do not hold a live lease on case {case_id}", code="lease_not_held")
    return case


def release(session: Session, case_id: str, actor: Actor) -> ReviewCase:
    case = held_case(session, case_id, actor)
    case.status = CaseStatus.OPEN
    case.claimed_by = None
    case.lease_expires_at = None
    record(session, Action.CASE_RELEASED, actor, Subject(post_id=case.post_id, case_id=case.id))
    return case
