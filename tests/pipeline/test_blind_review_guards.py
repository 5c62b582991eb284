"""A QA sample is never reviewed by whoever made the decision it samples (not offered by the
queue, not given by a supervisor, not accepted from them), and a QA verdict obeys the same
rules as a decision; decide() refuses a second review from the first reviewer too. On the
embedded SQLite database and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accounts.service import add_user
from core.clock import utcnow
from core.db import transaction
from core.errors import Conflict, Invalid
from pipeline import qa
from pipeline.console_models import QaReview
from pipeline.decisions import decide
from pipeline.models import CaseStage, CaseStatus, Decision, EnforcementAction, ReviewCase
from pipeline.queue import DEFAULT_LEASE, claim_next, reassign
from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode
from runtime.container import Runtime
from runtime.web import create_app
from tests.conftest import ADMIN, PASSWORD
from tests.pipeline.factories import case, make_case, reviewer
from tests.review_ui.conftest import sign_in, submit

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


def hand_over(rt: Runtime, case_id: str, to: str) -> None:
    """Put the case in `to`'s hands directly, as data written before the guards would be."""
    with transaction(rt.sessions) as s:
        held = s.get(ReviewCase, case_id)
        assert held is not None
        held.status, held.claimed_by = CaseStatus.CLAIMED, to
        held.lease_expires_at = utcnow() + DEFAULT_LEASE


def refused_reassign(rt: Runtime, case_id: str, to: str, role: str) -> tuple[str, ReviewCase]:
    """A senior gives the case to `to` and is refused: the refusal's code and the case after."""
    with transaction(rt.sessions) as s, pytest.raises(Conflict) as refused:
        reassign(s, case_id, SEN, to, (role,))
    return refused.value.code, case(rt.sessions, case_id)


def reassign_on_page(rt: Runtime, senior: str, case_id: str, to: str) -> Any:
    """`senior` gives the case to `to` on /ui/supervise: the answer, its redirect not followed."""
    with TestClient(create_app(rt), base_url="https://testserver") as ui:
        sign_in(ui, senior)
        page = ui.get("/ui/supervise")
        return submit(ui, page, f"/ui/supervise/cases/{case_id}/reassign", to_username=to)


def rows(rt: Runtime, model: type[Any]) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_qa_sample_is_not_reassigned_to_its_original_reviewer(any_rt: Runtime) -> None:
    sample = _sampled(any_rt)
    code, waiting = refused_reassign(any_rt, sample, "ann", "reviewer")
    assert (code, waiting.status, waiting.claimed_by) == (
        "same_reviewer",
        CaseStatus.AWAITING_SECOND,
        None,
    )
    with transaction(any_rt.sessions) as s:
        assert claim_next(s, ANN) is None, "nor offered to them by the queue"
        assert reassign(s, sample, SEN, "bob", ("reviewer",)).claimed_by == "bob"


def test_the_original_reviewer_cannot_record_a_qa_verdict_on_their_own_decision(
    any_rt: Runtime,
) -> None:
    sample = _sampled(any_rt)
    hand_over(any_rt, sample, "ann")  # however they came to hold it
    with transaction(any_rt.sessions) as s, pytest.raises(Conflict) as refused:
        qa.review(s, sample, ANN, LABEL)
    assert refused.value.code == "same_reviewer"
    assert rows(any_rt, QaReview) == 0
    with any_rt.sessions() as s:
        overall, _ = qa.agreement(s)
    assert overall.reviewed == 0, "no self-grade counts towards agreement"


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
    assert rows(any_rt, QaReview) == 0
    assert case(any_rt.sessions, sample).status == CaseStatus.CLAIMED, "still BOB's to answer"


def test_the_supervise_page_refuses_to_give_a_qa_sample_to_its_original_reviewer(
    rt: Runtime,
) -> None:
    with transaction(rt.sessions) as s:
        add_user(s, "qa-senior", PASSWORD, "senior_reviewer", ADMIN)
        add_user(s, "qa-first", PASSWORD, "reviewer", ADMIN)
    sample = _sampled(rt, "qa-first")
    resp = reassign_on_page(rt, "qa-senior", sample, "qa-first")
    assert resp.status_code == 409
    assert "never reviewed by the reviewer whose decision it samples" in resp.text
    assert case(rt.sessions, sample).claimed_by is None


def test_the_first_reviewer_cannot_decide_the_second_review_of_their_own_removal(
    any_rt: Runtime,
) -> None:
    """decide() itself refuses it, however the case came back into their hands."""
    waiting = make_case(any_rt.sessions, views=500_000)  # high reach: a removal needs two
    remove = DecisionIn(
        reason_code=ReasonCode.FALSE_CLAIM, action=DecisionAction.REMOVE, note="fabricated"
    )
    with transaction(any_rt.sessions) as s:
        assert claim_next(s, ANN) is not None
        decide(s, waiting, ANN, remove)
    assert case(any_rt.sessions, waiting).stage == CaseStage.SECOND
    hand_over(any_rt, waiting, "ann")
    with transaction(any_rt.sessions) as s, pytest.raises(Conflict) as refused:
        decide(s, waiting, ANN, remove)
    assert refused.value.code == "same_reviewer"
    assert refused.value.message == "the second reviewer must differ from the first"
    after = case(any_rt.sessions, waiting)
    assert (after.stage, after.status, after.claimed_by) == (
        CaseStage.SECOND,
        CaseStatus.CLAIMED,
        "ann",
    )
    assert rows(any_rt, Decision) == 1 and rows(any_rt, EnforcementAction) == 0
    with transaction(any_rt.sessions) as s:
        assert reassign(s, waiting, SEN, "bob", ("reviewer",)).claimed_by == "bob"
        decide(s, waiting, BOB, remove)
    assert case(any_rt.sessions, waiting).status == CaseStatus.DECIDED
    assert rows(any_rt, EnforcementAction) == 1
