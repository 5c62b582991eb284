"""A drill case is the drill's own (conventions #22): a supervisor cannot give one to a real
person, a person's current case is never one, and a person cannot decide, release or skip
one even if they came to hold it. The drill's simulated reviewers still work it. On the
embedded SQLite database and on PostgreSQL."""

from __future__ import annotations

import pytest

from accounts.service import add_user
from core.db import transaction
from core.errors import Conflict
from incidents.drill_queue import claim_drill_case, decide_drill_case, drill_reviewer
from pipeline.decisions import decide
from pipeline.models import CaseStatus, Decision
from pipeline.queue import release
from pipeline.repository.cases import current_case_of
from pipeline.routing import RoutingPolicy
from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode
from runtime.container import Runtime
from tests.conftest import ADMIN, PASSWORD
from tests.pipeline.factories import case, reviewer
from tests.pipeline.test_blind_review_guards import (
    hand_over,
    reassign_on_page,
    refused_reassign,
    rows,
)
from tests.pipeline.test_drill_namespace import _drill_case

SEN = reviewer("sen", "senior_reviewer")
REMOVE = DecisionIn(reason_code=ReasonCode.FALSE_CLAIM, action=DecisionAction.REMOVE)
NOTHING = DecisionIn(reason_code=ReasonCode.NOT_MISINFORMATION, action=DecisionAction.NO_ACTION)


def test_a_drill_case_is_not_reassigned_to_a_real_person(any_rt: Runtime) -> None:
    drill = _drill_case(any_rt)
    code, waiting = refused_reassign(any_rt, drill, "sen", "senior_reviewer")
    assert (code, waiting.status, waiting.claimed_by) == ("drill_case", CaseStatus.OPEN, None)


def test_a_person_holding_a_drill_case_cannot_work_it_and_does_not_see_it(
    any_rt: Runtime,
) -> None:
    drill = _drill_case(any_rt)
    hand_over(any_rt, drill, "sen")  # as a reassignment before the guard left it
    with any_rt.sessions() as s:
        assert current_case_of(s, "sen") is None, "not the person's current case"
    for act in (
        lambda s: decide(s, drill, SEN, REMOVE, policy=RoutingPolicy()),
        lambda s: release(s, drill, SEN),
    ):
        with transaction(any_rt.sessions) as s, pytest.raises(Conflict) as refused:
            act(s)
        assert refused.value.code == "drill_case"
    assert rows(any_rt, Decision) == 0


def test_the_drills_own_reviewer_still_claims_and_decides_a_drill_case(any_rt: Runtime) -> None:
    drill = _drill_case(any_rt)
    bot = drill_reviewer("drill-key")
    with transaction(any_rt.sessions) as s:
        taken = claim_drill_case(s, bot)
        assert taken is not None and taken.id == drill
        made = decide_drill_case(s, drill, bot, NOTHING, RoutingPolicy())
        assert made.decided_by == bot.name
    assert case(any_rt.sessions, drill).status == CaseStatus.DECIDED


def test_the_supervise_page_refuses_to_give_a_drill_case_to_a_senior(rt: Runtime) -> None:
    drill = _drill_case(rt)
    with transaction(rt.sessions) as s:
        add_user(s, "drill-senior", PASSWORD, "senior_reviewer", ADMIN)
    resp = reassign_on_page(rt, "drill-senior", drill, "drill-senior")
    assert resp.status_code == 409
    assert "belongs to a drill" in resp.text
    assert case(rt.sessions, drill).claimed_by is None
