"""Appeals: the author contests an action; a senior reviewer decides, possibly restoring."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.events import Action, Actor, Subject
from audit.service import record
from core.clock import utcnow
from core.errors import Conflict, Invalid, NotFound
from pipeline.actions import live_actions
from pipeline.models import CaseStage, CaseStatus, Post, ReviewCase, Score
from pipeline.policy_store import active_policy

APPEAL_ROLE = "senior_reviewer"
APPEAL_SLA = timedelta(hours=24)
APPEAL_PRIORITY = 1000.0  # appeals are served before new cases of their role


def appeal(
    session: Session, post_id: str, actor: Actor, reason: str, now: datetime | None = None
) -> ReviewCase:
    if not reason.strip():
        raise Invalid("an appeal needs the author's reason", code="reason_required")
    now = now or utcnow()
    post = session.get(Post, post_id, with_for_update=True)
    if post is None:
        raise NotFound(f"post {post_id} is unknown")
    actions = live_actions(session, post_id)
    if not actions:
        raise Conflict(
            f"post {post_id} has no action in effect to appeal", code="nothing_to_appeal"
        )
    live = session.scalars(
        select(ReviewCase).where(
            ReviewCase.post_id == post_id, ReviewCase.status != CaseStatus.DECIDED
        )
    ).first()
    if live is not None:
        raise Conflict(f"post {post_id} already has an open case {live.id}", code="case_open")
    score = session.scalars(
        select(Score).where(Score.post_id == post_id).order_by(Score.created_at.desc()).limit(1)
    ).first()
    case = ReviewCase(
        post_id=post_id,
        band=score.band if score else "review",
        priority=APPEAL_PRIORITY,
        status=CaseStatus.ESCALATED,
        stage=CaseStage.APPEAL,
        required_role=APPEAL_ROLE,
        policy_version=active_policy(session).version,
        due_at=now + APPEAL_SLA,
        lang=post.lang,
    )
    session.add(case)
    session.flush()
    record(
        session,
        Action.POST_APPEALED,
        actor,
        Subject(post_id=post_id, case_id=case.id),
        reason=reason,
        before={"post_status": post.status, "actions": [a.action for a in actions]},
        after={"case_status": case.status, "required_role": APPEAL_ROLE},
        is_drill=post.is_drill,
    )
    return case
