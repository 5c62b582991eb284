"""Appeals: the author contests an action; a senior reviewer decides, possibly restoring.

Whoever decided the post before never decides its appeal: the queue does not offer it to
them, and a decision by them (e.g. after a reassignment) is refused with 403.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, or_
from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.clock import utcnow
from core.db import get_or_not_found
from core.errors import Conflict, Forbidden, Invalid
from core.messages import Msg
from pipeline.actions import live_actions
from pipeline.models import CaseStage, CaseStatus, Decision, Post, ReviewCase
from pipeline.policy_store import active_policy
from pipeline.repository import latest_score
from pipeline.repository.cases import open_case_of_post
from pipeline.repository.decisions import decided_on_other_case

APPEAL_ROLE = "senior_reviewer"
APPEAL_SLA = timedelta(hours=24)
APPEAL_PRIORITY = 1000.0  # appeals are served before new cases of their role


def appeal(
    session: Session, post_id: str, actor: Actor, reason: str, now: datetime | None = None
) -> ReviewCase:
    if not reason.strip():
        raise Invalid(Msg("an appeal needs the author's reason"), code="reason_required")
    now = now or utcnow()
    post = get_or_not_found(
        session, Post, post_id, Msg("post {post_id} is unknown", post_id=post_id), for_update=True
    )
    actions = live_actions(session, post_id)
    if not actions:
        raise Conflict(
            Msg("post {post_id} has no action in effect to appeal", post_id=post_id),
            code="nothing_to_appeal",
        )
    live = open_case_of_post(session, post_id)
    if live is not None:
        raise Conflict(
            Msg(
                "post {post_id} already has an open case {open_case_id}",
                post_id=post_id,
                open_case_id=live.id,
            ),
            code="case_open",
        )
    score = latest_score(session, post_id)
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
        is_drill=post.is_drill,
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


def not_own_appeal(reviewer: str) -> ColumnElement[bool]:
    """Claim filter: an appeal is never offered to anyone who decided its post before."""
    decided_before = exists().where(
        Decision.post_id == ReviewCase.post_id,
        Decision.case_id != ReviewCase.id,
        Decision.decided_by == reviewer,
    )
    return or_(ReviewCase.stage != CaseStage.APPEAL, ~decided_before)


def check_appeal_decider(session: Session, case: ReviewCase, reviewer: str) -> None:
    """An appeal is decided by someone other than whoever decided the post before (the
    contested decision, its second review, an earlier appeal): nobody reviews themselves."""
    if case.stage != CaseStage.APPEAL:
        return
    if decided_on_other_case(session, case.post_id, case.id, reviewer):
        raise Forbidden(
            Msg(
                "{reviewer} decided post {post_id} before; its appeal needs another senior reviewer (release the case)",
                reviewer=reviewer,
                post_id=case.post_id,
            ),
            code="own_decision_appealed",
        )
