"""Reviewer decisions: a reason code and an action, executed on the platform exactly once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from audit.events import Action, Actor, Subject
from audit.service import record
from core.dispatch import enqueue_after_commit
from core.errors import Invalid
from pipeline.models import CaseStatus, Decision, EnforcementAction, Post, PostStatus
from pipeline.queue import held_case
from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode

EXECUTE_TASK = "pipeline.execute_action"


def validate_decision(decision: DecisionIn) -> None:
    if decision.reason_code is ReasonCode.OTHER and not decision.note.strip():
        raise Invalid("reason 'other' needs a note", code="note_required")
    if decision.action is DecisionAction.LABEL and not decision.note.strip():
        raise Invalid("a label needs its note text", code="note_required")
    if decision.action is DecisionAction.GEO_RESTRICT and not decision.territories:
        raise Invalid("geo-restriction needs at least one territory", code="territories_required")
    if (
        decision.reason_code is ReasonCode.NOT_MISINFORMATION
        and decision.action is not DecisionAction.NO_ACTION
    ):
        raise Invalid(
            "'not misinformation' cannot carry an enforcement action", code="inconsistent"
        )


def decide(session: Session, case_id: str, actor: Actor, decision_in: DecisionIn) -> Decision:
    validate_decision(decision_in)
    case = held_case(session, case_id, actor)
    post = session.get(Post, case.post_id)
    assert post is not None  # FK guarantees it
    decision = Decision(
        case_id=case.id,
        post_id=post.id,
        decided_by=actor.name,
        decider_type="human",
        reason_code=decision_in.reason_code.value,
        action=decision_in.action.value,
        note=decision_in.note,
        territories=list(decision_in.territories),
    )
    session.add(decision)
    case.status = CaseStatus.DECIDED
    case.lease_expires_at = None
    before_status = post.status
    post.status = PostStatus.DECIDED
    session.flush()
    record(
        session,
        Action.CASE_DECIDED,
        actor,
        Subject(post_id=post.id, case_id=case.id),
        reason=f"{decision_in.reason_code.value}: {decision_in.note}".rstrip(": "),
        policy_version=case.policy_version,
        before={"post_status": before_status, "case_status": CaseStatus.CLAIMED.value},
        after={
            "action": decision_in.action.value,
            "reason_code": decision_in.reason_code.value,
            "territories": list(decision_in.territories),
        },
        is_drill=post.is_drill,
    )
    if decision_in.action is not DecisionAction.NO_ACTION:
        request_enforcement(session, decision, post, actor)
    return decision


def request_enforcement(
    session: Session, decision: Decision, post: Post, actor: Actor
) -> EnforcementAction:
    action = EnforcementAction(
        decision_id=decision.id,
        post_id=post.id,
        action=decision.action,
        params={
            "note": decision.note,
            "territories": decision.territories,
            "reason_code": decision.reason_code,
        },
        idempotency_key=f"decision-{decision.id}",
    )
    session.add(action)
    session.flush()
    record(
        session,
        Action.REMOVAL_REQUESTED,
        actor,
        Subject(post_id=post.id, case_id=decision.case_id, action_id=action.id),
        reason=decision.reason_code,
        after={"action": action.action, "idempotency_key": action.idempotency_key},
        is_drill=post.is_drill,
    )
    enqueue_after_commit(session, EXECUTE_TASK, action.id)
    return action
