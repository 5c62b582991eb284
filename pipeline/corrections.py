"""Correcting or undoing a final human decision, through the same enforcement path.

A correction is a new decision on the same case by the corrector: every action still live on
the post is undone on the platform (`actions.restore_post`, which logs the restoration) and
the corrected action, if any, is requested like any decision's. An undo is a correction to
"no action". Only the post's latest decision can be corrected, and only once its case is
decided (a case waiting for a second reviewer is not final yet).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.db import get_or_not_found
from core.errors import Conflict, Forbidden, Invalid
from core.messages import Msg
from pipeline.actions import restore_post
from pipeline.decisions import add_human_decision, request_enforcement, validate_decision
from pipeline.models import CaseStatus, Decision, Post, PostStatus, ReviewCase
from pipeline.repository.cases import open_case_of_post
from pipeline.repository.decisions import latest_human_decision
from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode


def correctable(session: Session, decision: Decision, actor: Actor, *, anyones: bool) -> ReviewCase:
    """The decision's case, or the reason it cannot be corrected by this person."""
    if not anyones and decision.decided_by != actor.name:
        raise Forbidden(
            Msg("only a senior reviewer corrects someone else's decision"), code="not_own"
        )
    case = session.get(ReviewCase, decision.case_id) if decision.case_id else None
    if case is None or case.status != CaseStatus.DECIDED:
        raise Conflict(Msg("the case is still in review; it is not final yet"), code="not_final")
    latest = latest_human_decision(session, decision.post_id)
    if latest is None or latest.id != decision.id:
        raise Conflict(Msg("a later decision on this post replaced this one"), code="superseded")
    if open_case_of_post(session, decision.post_id) is not None:
        raise Conflict(
            Msg("the post is in review again (an appeal?): decide it there"), code="case_open"
        )
    return case


def correct(
    session: Session,
    decision_id: str,
    actor: Actor,
    new: DecisionIn,
    reason: str,
    *,
    anyones: bool = False,
    undo: bool = False,
) -> Decision:
    if not reason.strip():
        raise Invalid(Msg("say why the decision is corrected"), code="reason_required")
    validate_decision(new)
    missing = Msg("decision {decision_id} does not exist", decision_id=decision_id)
    old = get_or_not_found(session, Decision, decision_id, missing)
    case = correctable(session, old, actor, anyones=anyones)
    if _same(old, new):
        raise Invalid(Msg("the correction changes nothing"), code="unchanged")
    post = session.get(Post, old.post_id, with_for_update=True)
    assert post is not None  # FK
    undone = restore_post(session, post.id, actor, f"decision corrected: {reason}")
    made = add_human_decision(session, case, post, actor, new, old.claim_id)
    post.status = PostStatus.DECIDED
    record(
        session,
        Action.DECISION_UNDONE if undo else Action.DECISION_CORRECTED,
        actor,
        Subject(post_id=post.id, case_id=case.id, claim_id=old.claim_id),
        reason=reason,
        before={
            "decision_id": old.id,
            "action": old.action,
            "reason_code": old.reason_code,
            "territories": list(old.territories or ()),
        },
        after={
            "decision_id": made.id,
            "action": made.action,
            "reason_code": made.reason_code,
            "territories": list(made.territories),
            "public_facts": made.public_facts,
            "legal_ground": made.legal_ground,
            "undo_actions": [u.id for u in undone],
        },
        is_drill=post.is_drill,
    )
    if made.action != DecisionAction.NO_ACTION:
        request_enforcement(session, made, post, actor)
    return made


def _same(old: Decision, new: DecisionIn) -> bool:
    """Nothing the platform or the author would see changes: the action, its territories (as
    a set), the label's text, the reason and the statement of reasons. A label's note is the
    text shown on the post; any other action's note is internal."""
    label = new.action is DecisionAction.LABEL
    return (
        new.action.value == old.action
        and set(new.territories) == set(old.territories or ())
        and (not label or new.note.strip() == (old.note or "").strip())
        and new.reason_code.value == old.reason_code
        and new.public_facts.strip() == (old.public_facts or "")
        and (new.legal_ground.strip() or None) == old.legal_ground
    )


def undo(
    session: Session, decision_id: str, actor: Actor, reason: str, *, anyones: bool = False
) -> Decision:
    """Withdraw a decision: its actions are undone and the post stands with no action."""
    old = session.get(Decision, decision_id)
    if old is not None and old.action == DecisionAction.NO_ACTION:
        raise Invalid(
            Msg("no action was taken, so there is nothing to undo"), code="nothing_to_undo"
        )
    verdict = DecisionIn(reason_code=ReasonCode.OTHER, action=DecisionAction.NO_ACTION, note=reason)
    return correct(session, decision_id, actor, verdict, reason, anyones=anyones, undo=True)
