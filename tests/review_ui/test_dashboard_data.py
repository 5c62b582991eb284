"""The supervisor dashboard's figures (review_ui/supervisor/dashboard_data.py) on SQLite and
PostgreSQL: which cases count as waiting, and which decision is a case's first."""

from __future__ import annotations

from datetime import timedelta

from core.clock import utcnow
from core.db import transaction
from pipeline.models import CaseStage, CaseStatus, Decision, ReviewCase
from pipeline.queue import open_case_for_post
from pipeline.routing import RoutingPolicy
from review_ui.supervisor import dashboard_data, data
from runtime.container import Runtime
from tests.pipeline.factories import add_scored_post


def _case(rt: Runtime, status: CaseStatus, stage: CaseStage, *, overdue: bool = False) -> str:
    with transaction(rt.sessions) as session:
        case = open_case_for_post(session, add_scored_post(session).id, RoutingPolicy())
        assert case is not None
        case.status, case.stage = status, stage
        if overdue:
            case.due_at = utcnow() - timedelta(minutes=5)
        return case.id


def _decide(rt: Runtime, case_id: str, by: str, at_days_ago: float, action: str) -> None:
    with transaction(rt.sessions) as session:
        case = session.get(ReviewCase, case_id)
        assert case is not None
        at = utcnow() - timedelta(days=at_days_ago)
        session.add(
            Decision(
                case_id=case.id,
                post_id=case.post_id,
                decided_by=by,
                reason_code="false_claim",
                action=action,
                created_at=at,
            )
        )
        case.status = CaseStatus.DECIDED


def test_a_correction_of_an_old_decision_is_not_the_cases_first_decision(any_rt: Runtime) -> None:
    old = _case(any_rt, CaseStatus.OPEN, CaseStage.REVIEW)
    recent = _case(any_rt, CaseStatus.OPEN, CaseStage.REVIEW)
    with transaction(any_rt.sessions) as session:
        for case_id, days in ((old, 8), (recent, 2)):
            case = session.get(ReviewCase, case_id)
            assert case is not None
            case.created_at = utcnow() - timedelta(days=days, hours=1)
            case.due_at = utcnow() - timedelta(days=days) + timedelta(hours=1)
    _decide(any_rt, old, "ann", 8, "remove")  # on time, but before the 7-day window
    _decide(any_rt, recent, "ann", 2, "remove")  # on time, inside it
    _decide(any_rt, old, "sue", 0, "label")  # a senior's correction today
    _decide(any_rt, recent, "sue", 0, "label")
    with any_rt.sessions() as session:
        sla = dashboard_data.sla_attainment(session)
    assert (sla.decided, sla.on_time, sla.percent) == (1, 1, 100.0)


def test_the_dashboard_counts_every_undecided_case_the_supervise_page_lists(
    any_rt: Runtime,
) -> None:
    for status, stage in (
        (CaseStatus.OPEN, CaseStage.REVIEW),
        (CaseStatus.CLAIMED, CaseStage.REVIEW),
        (CaseStatus.ESCALATED, CaseStage.ESCALATED),
        (CaseStatus.AWAITING_SECOND, CaseStage.SECOND),  # a high-reach removal's second review
        (CaseStatus.AWAITING_SECOND, CaseStage.QA),  # a QA sample
    ):
        _case(any_rt, status, stage, overdue=True)
    _decide(
        any_rt, _case(any_rt, CaseStatus.OPEN, CaseStage.REVIEW, overdue=True), "ann", 0, "none"
    )
    with any_rt.sessions() as session:
        depth = sum(dashboard_data.queue_depth(session).values())
        _, listed = data.open_cases(session, 100)
        sla = dashboard_data.sla_attainment(session)
    assert depth == listed == 5
    assert sla.overdue_open == 5
