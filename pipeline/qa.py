"""QA sampling: a configurable fraction of final human decisions is re-reviewed blind.

A sampled decision opens a QA case on the same post (stage `qa`, waiting as
`awaiting_second`), which the queue never offers to the original reviewer and whose page never
shows the original verdict. The QA reviewer's verdict is compared with the original's action;
it changes nothing on the platform (a disagreement is for a senior to look at and, if needed,
correct through `pipeline.corrections`). Agreement rates come from `qa_reviews`.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.clock import utcnow
from core.errors import Conflict, Invalid
from core.messages import Msg
from pipeline.console_models import QaReview, QaSampling
from pipeline.models import CaseStage, CaseStatus, Decision, Post, ReviewCase
from pipeline.queue import case_event, check_blind_reviewer, held_case
from pipeline.repository.decisions import latest_decision_on_post_by, qa_agreement_per_reviewer
from pipeline.schemas import DecisionIn
from pipeline.verdicts import validate_decision

QA_PRIORITY = 0.0  # after live work: a QA sample is never more urgent than a new post


def sampling_fraction(session: Session) -> float:
    row = session.get(QaSampling, 1)
    return row.fraction if row else 0.0


def set_sampling_fraction(session: Session, fraction: float, actor: Actor) -> QaSampling:
    if not (math.isfinite(fraction) and 0.0 <= fraction <= 1.0):
        raise Invalid(Msg("the QA fraction is a number from 0 to 1"), code="bad_fraction")
    row = session.get(QaSampling, 1, with_for_update=True)
    before = row.fraction if row else 0.0
    if row is None:
        row = QaSampling(id=1, fraction=fraction, updated_by=actor.name)
        session.add(row)
    row.fraction, row.updated_by = fraction, actor.name
    record(
        session,
        Action.QA_SAMPLING_CHANGED,
        actor,
        Subject(),
        before={"fraction": before},
        after={"fraction": fraction},
    )
    return row


def drawn(decision_id: str, fraction: float) -> bool:
    """Deterministic per decision (a hash, not a random draw), so a retry draws the same."""
    bucket = int(hashlib.sha256(decision_id.encode()).hexdigest()[:8], 16) / 0x1_0000_0000
    return bucket < fraction


def maybe_sample(session: Session, case: ReviewCase, decision: Decision, post: Post) -> None:
    """Called once a first-review human decision is final; opens a QA case if it is drawn."""
    if case.stage != CaseStage.REVIEW or decision.decider_type != "human" or post.is_drill:
        return
    if not drawn(decision.id, sampling_fraction(session)):
        return
    qa = ReviewCase(
        post_id=post.id,
        band=case.band,
        priority=QA_PRIORITY,
        status=CaseStatus.AWAITING_SECOND,
        stage=CaseStage.QA,
        policy_version=case.policy_version,
        due_at=utcnow() + (case.due_at - case.created_at),
        first_reviewer=decision.decided_by,
        lang=case.lang,
        topic=case.topic,
        incident_id=case.incident_id,
        claim_id=case.claim_id,
    )
    session.add(qa)
    session.flush()
    sampled = {"sampled_case": case.id, "decision_id": decision.id}
    case_event(session, Action.CASE_QA_SAMPLED, Actor.system("qa"), qa, after=sampled)


def sampled_decision(session: Session, qa_case: ReviewCase) -> Decision:
    found = latest_decision_on_post_by(
        session, qa_case.post_id, qa_case.first_reviewer, qa_case.created_at
    )
    if found is None:
        raise Conflict(Msg("the sampled decision is gone"), code="qa_without_decision")
    return found


def review(session: Session, case_id: str, actor: Actor, verdict: DecisionIn) -> QaReview:
    """Record the blind verdict on a QA case the reviewer holds; the case is then done. The
    verdict obeys the rules of a decision, so agreement compares like with like."""
    validate_decision(verdict)
    case = held_case(session, case_id, actor)
    if case.stage != CaseStage.QA:
        raise Conflict(Msg("this case is not a QA sample"), code="not_qa")
    original = sampled_decision(session, case)
    check_blind_reviewer(case, actor.name)  # however they came to hold it: no self-grading
    row = QaReview(
        qa_case_id=case.id,
        original_decision_id=original.id,
        original_reviewer=original.decided_by,
        original_action=original.action,
        reviewer=actor.name,
        action=verdict.action.value,
        reason_code=verdict.reason_code.value,
        note=verdict.note,
        agrees=verdict.action.value == original.action,
    )
    session.add(row)
    case.status = CaseStatus.DECIDED
    case.lease_expires_at = None
    case_event(
        session,
        Action.CASE_QA_REVIEWED,
        actor,
        case,
        reason=f"{row.reason_code}: {row.note}".rstrip(": "),
        before={"original_decision": original.id, "original_reviewer": original.decided_by},
        after={"action": row.action, "original_action": original.action, "agrees": row.agrees},
    )
    return row


@dataclass(frozen=True)
class Agreement:
    reviewed: int
    agreed: int

    @property
    def percent(self) -> float | None:
        return None if not self.reviewed else 100.0 * self.agreed / self.reviewed


def agreement(session: Session) -> tuple[Agreement, dict[str, Agreement]]:
    """Agreement overall and per original reviewer, over every QA review."""
    per = {who: Agreement(n, agreed) for who, n, agreed in qa_agreement_per_reviewer(session)}
    overall = Agreement(sum(a.reviewed for a in per.values()), sum(a.agreed for a in per.values()))
    return overall, per
