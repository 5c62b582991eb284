"""The queue and decision rules behind the reviewer console: release cooldown, lease
extension, QA sampling and agreement, corrections and undo through enforcement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import utcnow
from core.db import transaction
from core.errors import Conflict, Forbidden, Invalid
from pipeline import corrections, qa
from pipeline.decisions import decide
from pipeline.models import ActionStatus, CaseStage, Decision, EnforcementAction, ReviewCase
from pipeline.queue import MAX_EXTENSIONS, claim_next, escalate, extend_lease, release
from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode
from runtime.container import Runtime
from tests.pipeline.factories import case, make_case, reviewer

ANN, BOB, SEN = reviewer("ann"), reviewer("bob"), reviewer("sen", "senior_reviewer")
REMOVE = DecisionIn(reason_code=ReasonCode.FALSE_CLAIM, action=DecisionAction.REMOVE)
NOTHING = DecisionIn(reason_code=ReasonCode.NOT_MISINFORMATION, action=DecisionAction.NO_ACTION)


def claim(rt: Runtime, who=ANN, **kw: object) -> str | None:  # type: ignore[no-untyped-def]
    with transaction(rt.sessions) as s:
        got = claim_next(s, who, **kw)  # type: ignore[arg-type]
        return got.id if got else None


def decided(rt: Runtime, who=ANN, verdict: DecisionIn = REMOVE) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    cid = make_case(rt.sessions)
    assert claim(rt, who) == cid
    with transaction(rt.sessions) as s:
        return cid, decide(s, cid, who, verdict).id


def test_a_released_case_is_not_offered_straight_back_to_who_released_it(rt: Runtime) -> None:
    cid = make_case(rt.sessions)
    assert claim(rt, ANN) == cid
    with transaction(rt.sessions) as s:
        release(s, cid, ANN)
    assert claim(rt, ANN) is None, "the same reviewer got the case straight back"
    assert claim(rt, ANN, now=utcnow() + timedelta(minutes=6)) == cid
    with transaction(rt.sessions) as s:
        release(s, cid, ANN)
    assert claim(rt, BOB) == cid, "anyone else takes it at once"


def test_a_lease_is_extended_a_bounded_number_of_times_and_each_is_logged(rt: Runtime) -> None:
    from audit.models import AuditEvent

    cid = make_case(rt.sessions)
    claim(rt, ANN, lease=timedelta(minutes=1))
    for _ in range(MAX_EXTENSIONS):
        with transaction(rt.sessions) as s:
            extend_lease(s, cid, ANN)
    left = case(rt.sessions, cid).lease_expires_at - utcnow()  # type: ignore[operator]
    assert timedelta(minutes=9) < left <= timedelta(minutes=10)
    with transaction(rt.sessions) as s, pytest.raises(Conflict, match="extended"):
        extend_lease(s, cid, ANN)
    with transaction(rt.sessions) as s, pytest.raises(Conflict):
        extend_lease(s, cid, BOB)
    with rt.sessions() as s:
        logged = s.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "case.lease_extended")
        ).all()
    assert len(logged) == MAX_EXTENSIONS


def test_qa_sampling_draws_the_configured_fraction_blind_and_counts_agreement(
    rt: Runtime,
) -> None:
    with transaction(rt.sessions) as s:
        qa.set_sampling_fraction(s, 1.0, SEN)
    original, _ = decided(rt, ANN)
    post_id = case(rt.sessions, original).post_id
    with rt.sessions() as s:
        qa_case = s.scalars(select(ReviewCase).where(ReviewCase.stage == CaseStage.QA)).one()
        qa_id = qa_case.id
        assert qa_case.post_id == post_id
    assert claim(rt, ANN) is None, "the QA sample is never offered to its original reviewer"
    assert claim(rt, BOB) == qa_id
    with transaction(rt.sessions) as s, pytest.raises(Conflict, match="QA"):
        decide(s, qa_id, BOB, REMOVE)  # no second enforcement through the ordinary path
    with transaction(rt.sessions) as s, pytest.raises(Conflict, match="not escalated"):
        escalate(s, qa_id, BOB, "senior_reviewer", "unsure")
    with transaction(rt.sessions) as s:
        assert qa.review(s, qa_id, BOB, NOTHING).agrees is False
    with rt.sessions() as s:
        overall, per = qa.agreement(s)
        removals = s.scalars(select(EnforcementAction).where(EnforcementAction.action == "remove"))
        assert len(list(removals)) == 1, "a QA verdict changes nothing on the platform"
    assert (overall.reviewed, overall.agreed, per["ann"].percent) == (1, 0, 0.0)
    with transaction(rt.sessions) as s:
        qa.set_sampling_fraction(s, 0.0, SEN)
        with pytest.raises(Invalid):
            qa.set_sampling_fraction(s, 1.5, SEN)
    decided(rt, BOB)
    with rt.sessions() as s:
        assert len(s.scalars(select(ReviewCase).where(ReviewCase.stage == "qa")).all()) == 1


def test_a_removal_is_undone_through_enforcement_and_a_correction_replaces_it(
    rt: Runtime,
) -> None:
    _, decision_id = decided(rt, ANN)
    with transaction(rt.sessions) as s, pytest.raises(Forbidden):
        corrections.undo(s, decision_id, BOB, "not mine")
    with transaction(rt.sessions) as s, pytest.raises(Invalid, match="why"):
        corrections.undo(s, decision_id, ANN, " ")
    with transaction(rt.sessions) as s:
        undone = corrections.undo(s, decision_id, ANN, "misread the post")
        undo_id = undone.id
    with rt.sessions() as s:
        undo_rows = s.scalars(select(EnforcementAction).where(EnforcementAction.action == "undo"))
        assert [u.params["undoes"] for u in undo_rows] == ["remove"]
        assert s.get(Decision, undo_id).action == "no_action"  # type: ignore[union-attr]
    with transaction(rt.sessions) as s, pytest.raises(Conflict, match="later decision"):
        corrections.undo(s, decision_id, ANN, "again")
    label = DecisionIn(
        reason_code=ReasonCode.MISLEADING_CONTEXT, action=DecisionAction.LABEL, note="Context"
    )
    with transaction(rt.sessions) as s:
        corrections.correct(s, undo_id, SEN, label, "label instead", anyones=True)
    with rt.sessions() as s:
        labels = s.scalars(select(EnforcementAction).where(EnforcementAction.action == "label"))
        assert [a.status for a in labels] in ([ActionStatus.PENDING], [ActionStatus.CONFIRMED])


def test_a_pending_qa_sample_does_not_block_the_authors_appeal(rt: Runtime) -> None:
    from core.actors import Actor, ActorType
    from pipeline.appeals import appeal

    with transaction(rt.sessions) as s:
        qa.set_sampling_fraction(s, 1.0, SEN)
    original, _ = decided(rt, ANN)
    post_id = case(rt.sessions, original).post_id
    author = Actor(name="platform", type=ActorType.PLATFORM)
    with transaction(rt.sessions) as s:
        appealed = appeal(s, post_id, author, "it is satire")
        assert appealed.stage == CaseStage.APPEAL
