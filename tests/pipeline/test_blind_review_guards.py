"""A QA sample is never reviewed by whoever made the decision it samples (not offered by the
queue, not given by a supervisor, not accepted from them), and a QA verdict obeys the same
rules as a decision. On the embedded SQLite database and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.db import transaction
from core.errors import Invalid
from pipeline import qa
from pipeline.console_models import QaReview
from pipeline.decisions import decide
from pipeline.models import CaseStage, CaseStatus, ReviewCase
from pipeline.queue import DEFAULT_LEASE, claim_next
from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode
from runtime.container import Runtime
from tests.pipeline.factories import case, make_case, reviewer

ANN, BOB, SEN = reviewer("ann"), reviewer("bob"), reviewer("sen", "senior_reviewer")
LABEL = DecisionIn(reason_code=ReasonCode.FALSE_CLAIM, action=DecisionAction.LABEL, note="false")


def _sampled(rt: Runtime, by_name: str = "ann") -> str:
    """A case decided by `by_name` with QA sampling at 100%: the id of its QA sample."""
    with transaction(rt.sessions) as s:
        qa.set_sampling_fraction(s, 1.0, SEN)
    original = make_case(rt.sessions)
    who = reviewer(by_name)
    with transaction(rt.sessions) as s:
        assert claim_next(s, who) is not None
        decide(s, original, who, LABEL)
    with rt.sessions() as s:
        sample = s.scalars(select(ReviewCase).where(ReviewCase.stage == CaseStage.QA)).one()
        assert sample.first_reviewer == by_name
        return sample.id


def _hand_over(rt: Runtime, case_id: str, to: str) -> None:
    """Put the case in `to`'s hands directly, as data written before the guards would be."""
    with transaction(rt.sessions) as s:
        held = s.get(ReviewCase, case_id)
        assert held is not None
        held.status, held.claimed_by = CaseStatus.CLAIMED, to
        held.lease_expires_at = utcnow() + DEFAULT_LEASE


def _qa_reviews(rt: Runtime) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(QaReview)) or 0)


@pytest.mark.parametrize(
    ("verdict", "code"),
    [
        (
            DecisionIn(reason_code=ReasonCode.NOT_MISINFORMATION, action=DecisionAction.REMOVE),
            "inconsistent",
        ),
        (
            DecisionIn(reason_code=ReasonCode.OTHER, action=DecisionAction.NO_ACTION),
            "note_required",
        ),
    ],
)
def test_a_qa_verdict_is_validated_like_a_decision(
    any_rt: Runtime, verdict: DecisionIn, code: str
) -> None:
    sample = _sampled(any_rt)
    with transaction(any_rt.sessions) as s:
        assert claim_next(s, BOB) is not None
    with transaction(any_rt.sessions) as s, pytest.raises(Invalid) as refused:
        qa.review(s, sample, BOB, verdict)
    assert refused.value.code == code
    assert _qa_reviews(any_rt) == 0
    assert case(any_rt.sessions, sample).status == CaseStatus.CLAIMED, "still BOB's to answer"
