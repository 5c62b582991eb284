"""Reviewer decisions: a reason code and an action, executed on the platform exactly once.

High-reach removals need a second reviewer: the first decision parks the case as
`awaiting_second`; a different reviewer agrees (same action: it is executed) or disagrees
(the case escalates to a senior reviewer, whose decision is final). Appeal cases end in a
restoration when the senior reviewer finds no action is warranted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from claims.models import Claim
from core.actors import Actor
from core.errors import Conflict, Invalid
from core.messages import Msg
from pipeline import hooks
from pipeline.actions import EXECUTE_TASK, live_actions, request_action, request_undo
from pipeline.appeals import check_appeal_decider
from pipeline.models import (
    CaseStage,
    CaseStatus,
    Decision,
    EnforcementAction,
    Post,
    PostStatus,
    ReviewCase,
)
from pipeline.policy_store import active_policy
from pipeline.qa import maybe_sample
from pipeline.queue import check_blind_reviewer, escalate_case, held_case
from pipeline.repository.actions import action_by_key
from pipeline.repository.decisions import latest_decision_on_case_by
from pipeline.routing import RoutingPolicy
from pipeline.schemas import DecisionAction, DecisionIn
from pipeline.verdicts import validate_decision

__all__ = ["EXECUTE_TASK", "decide", "request_enforcement", "validate_decision"]


def decide(
    session: Session,
    case_id: str,
    actor: Actor,
    decision_in: DecisionIn,
    *,
    policy: RoutingPolicy | None = None,
) -> Decision:
    validate_decision(decision_in)
    case = held_case(session, case_id, actor)
    if case.stage == CaseStage.QA:  # a blind re-review changes nothing: pipeline.qa.review
        raise Conflict(Msg("a QA sample is answered through pipeline.qa.review"), code="qa_case")
    check_blind_reviewer(case, actor.name)  # however they came to hold it: not their own second
    check_appeal_decider(session, case, actor.name)
    post = session.get(Post, case.post_id)
    assert post is not None  # FK guarantees it
    policy = policy or active_policy(session)
    decision = add_human_decision(
        session, case, post, actor, decision_in, _cited_claim(session, decision_in, case)
    )
    ruling = _Ruling(session, case, post, decision, actor, policy)
    if case.stage == CaseStage.SECOND:
        _second_review(ruling)
    elif case.stage == CaseStage.REVIEW and _needs_second(policy, post, decision):
        _await_second(ruling)
    else:
        _finalise(ruling)
    return decision


def _cited_claim(session: Session, decision_in: DecisionIn, case: ReviewCase) -> str | None:
    """The library claim the decision cites: the reviewer's, which must be in the library (a
    retired one may be cited: retiring only stops matching, and statements and links still
    cite it), else the one the case was matched to."""
    if not decision_in.claim_id:
        return case.claim_id
    if session.get(Claim, decision_in.claim_id) is None:
        raise Invalid(
            Msg("no claim '{claim_id}'", claim_id=decision_in.claim_id), code="unknown_claim"
        )
    return decision_in.claim_id


def add_human_decision(
    session: Session,
    case: ReviewCase,
    post: Post,
    actor: Actor,
    decision_in: DecisionIn,
    claim_id: str | None,
) -> Decision:
    """Add (and flush) the reviewer's decision on the case as they gave it."""
    decision = Decision(
        case_id=case.id,
        post_id=post.id,
        decided_by=actor.name,
        decider_type="human",
        reason_code=decision_in.reason_code.value,
        action=decision_in.action.value,
        note=decision_in.note,
        territories=list(decision_in.territories),
        claim_id=claim_id,
        # The DSA statement of reasons reads these (audit.dsa).
        public_facts=decision_in.public_facts.strip(),
        legal_ground=decision_in.legal_ground.strip() or None,
    )
    session.add(decision)
    session.flush()
    return decision


def _needs_second(policy: RoutingPolicy, post: Post, decision: Decision) -> bool:
    return (
        policy.second_review_enabled
        and decision.action == DecisionAction.REMOVE
        and post.views >= policy.high_reach_views
    )


@dataclass(frozen=True)
class _Ruling:
    """One reviewer's decision on a held case, with everything the next step needs."""

    session: Session
    case: ReviewCase
    post: Post
    decision: Decision
    actor: Actor
    policy: RoutingPolicy

    def before(self) -> dict[str, object]:
        return {
            "post_status": self.post.status,
            "case_status": self.case.status,
            "stage": self.case.stage,
        }


def _decided_event(r: _Ruling, before: Mapping[str, object], **after: object) -> None:
    case, post, decision = r.case, r.post, r.decision
    record(
        r.session,
        Action.CASE_DECIDED,
        r.actor,
        Subject(post_id=post.id, case_id=case.id, claim_id=decision.claim_id),
        reason=f"{decision.reason_code}: {decision.note}".rstrip(": "),
        policy_version=r.policy.version,
        before=dict(before),
        after={
            "action": decision.action,
            "reason_code": decision.reason_code,
            "territories": list(decision.territories),
            "public_facts": decision.public_facts,
            "legal_ground": decision.legal_ground,
            "case_status": case.status,
            "stage": case.stage,
            **after,
        },
        is_drill=post.is_drill,
    )


def _await_second(r: _Ruling) -> None:
    before, case = r.before(), r.case
    case.stage = CaseStage.SECOND
    case.first_reviewer = r.actor.name
    case.status = CaseStatus.AWAITING_SECOND
    case.claimed_by = None
    case.lease_expires_at = None
    _decided_event(r, before, awaiting_second=True)


def _second_review(r: _Ruling) -> None:
    case, decision = r.case, r.decision
    first = latest_decision_on_case_by(r.session, case.id, case.first_reviewer)
    agrees = first is not None and first.action == decision.action
    record(
        r.session,
        Action.CASE_SECOND_REVIEWED,
        r.actor,
        Subject(post_id=r.post.id, case_id=case.id),
        policy_version=r.policy.version,
        before={"first_reviewer": case.first_reviewer, "first_action": first and first.action},
        after={"action": decision.action, "agrees": agrees},
        is_drill=r.post.is_drill,
    )
    if agrees:
        _finalise(r)
        return
    escalate_case(
        r.session,
        case,
        r.actor,
        "senior_reviewer",
        f"second reviewer disagreed: {first and first.action} vs {decision.action}",
    )


def _finalise(r: _Ruling) -> None:
    session, case, post, decision, actor = r.session, r.case, r.post, r.decision, r.actor
    before = r.before()
    case.status = CaseStatus.DECIDED
    case.lease_expires_at = None
    appeal = case.stage == CaseStage.APPEAL
    post.status = PostStatus.DECIDED if not appeal else post.status
    _decided_event(r, before, appeal=appeal)
    hooks.decided(session, decision, post)  # webhooks tell the platform; statements draft
    if appeal:
        _settle_appeal(session, post, decision, actor)
        return
    maybe_sample(session, case, decision, post)
    _undo_temporary(session, case, decision, actor)
    if decision.action != DecisionAction.NO_ACTION:
        request_enforcement(session, decision, post, actor)


def _undo_temporary(session: Session, case: ReviewCase, decision: Decision, actor: Actor) -> None:
    """A reach reduction applied while the case waited is lifted unless the verdict keeps it."""
    if decision.action in (DecisionAction.REDUCE_REACH, DecisionAction.REMOVE):
        return
    temporary = action_by_key(session, f"pending-review-{case.id}")
    if temporary is not None:
        request_undo(session, temporary, actor, "reviewer decided; temporary reach limit lifted")


def _settle_appeal(session: Session, post: Post, decision: Decision, actor: Actor) -> None:
    if decision.action == DecisionAction.NO_ACTION:
        for action in live_actions(session, post.id):
            request_undo(session, action, actor, f"appeal upheld: {decision.reason_code}")
        return
    if decision.action not in {a.action for a in live_actions(session, post.id)}:
        request_enforcement(session, decision, post, actor)


def request_enforcement(
    session: Session, decision: Decision, post: Post, actor: Actor
) -> EnforcementAction:
    return request_action(
        session,
        post,
        decision.action,
        {
            "note": decision.note,
            "territories": decision.territories,
            "reason_code": decision.reason_code,
        },
        f"decision-{decision.id}",
        actor,
        decision_id=decision.id,
        case_id=decision.case_id,
        reason=decision.reason_code,
    )
