"""Corrections that change only where a post is restricted or what its label says: each is a
real correction (the old action undone on the platform, the new one requested once), while one
that changes nothing the platform or the author sees is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import transaction
from core.dispatch import InProcessDispatcher
from core.errors import Invalid
from pipeline import corrections
from pipeline.actions import live_actions
from pipeline.decisions import decide
from pipeline.models import EnforcementAction
from pipeline.platform_receiver import ReceiverState
from pipeline.queue import claim_next
from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode
from runtime.container import Runtime
from tests.conftest import wait_for
from tests.pipeline.factories import make_case, reviewer

ANN = reviewer("ann")


def geo(*territories: str) -> DecisionIn:
    return DecisionIn(
        reason_code=ReasonCode.FALSE_CLAIM,
        action=DecisionAction.GEO_RESTRICT,
        territories=list(territories),
    )


def label(text: str) -> DecisionIn:
    return DecisionIn(
        reason_code=ReasonCode.MISLEADING_CONTEXT, action=DecisionAction.LABEL, note=text
    )


def decided(rt: Runtime, verdict: DecisionIn) -> str:
    """A decision by ANN on a new case; its id."""
    case_id = make_case(rt.sessions)
    with transaction(rt.sessions) as s:
        assert (got := claim_next(s, ANN)) is not None and got.id == case_id
        return decide(s, case_id, ANN, verdict).id


def correct(rt: Runtime, decision_id: str, verdict: DecisionIn, why: str = "fix") -> str:
    with transaction(rt.sessions) as s:
        return corrections.correct(s, decision_id, ANN, verdict, why).id


def actions_of(rt: Runtime, decision_id: str) -> list[EnforcementAction]:
    with rt.sessions() as s:
        return list(
            s.scalars(select(EnforcementAction).where(EnforcementAction.decision_id == decision_id))
        )


def live_on_post(rt: Runtime, decision_id: str) -> list[tuple[str, dict[str, object]]]:
    with rt.sessions() as s:
        (action,) = actions_of(rt, decision_id)
        return [(a.action, a.params) for a in live_actions(s, action.post_id)]


def test_a_changed_geo_restriction_replaces_the_old_one_on_the_platform(any_rt: Runtime) -> None:
    first = decided(any_rt, geo("DE"))
    (old,) = actions_of(any_rt, first)
    fixed = correct(any_rt, first, geo("FR"), "wrong territory")
    (new,) = actions_of(any_rt, fixed)
    assert (new.action, new.params["territories"]) == ("geo_restrict", ["FR"])
    with any_rt.sessions() as s:
        undos = s.scalars(select(EnforcementAction).where(EnforcementAction.undoes_id == old.id))
        assert [u.action for u in undos] == ["undo"], "the DE restriction is lifted once"
    assert [(a, p["territories"]) for a, p in live_on_post(any_rt, fixed)] == [
        ("geo_restrict", ["FR"])
    ]


def test_a_geo_restriction_with_the_same_territories_in_another_order_changes_nothing(
    any_rt: Runtime,
) -> None:
    first = decided(any_rt, geo("DE", "FR"))
    with transaction(any_rt.sessions) as s, pytest.raises(Invalid) as refused:
        corrections.correct(s, first, ANN, geo("FR", "DE", "FR"), "same again")
    assert refused.value.code == "unchanged"
    added = correct(any_rt, first, geo("DE", "FR", "AT"), "Austria too")
    assert [p["territories"] for _, p in live_on_post(any_rt, added)] == [["DE", "FR", "AT"]]


def test_a_corrected_label_text_replaces_the_label_on_the_platform(any_rt: Runtime) -> None:
    first = decided(any_rt, label("Contxt: the photo is from 2015"))
    with transaction(any_rt.sessions) as s, pytest.raises(Invalid) as refused:
        corrections.correct(s, first, ANN, label(" Contxt: the photo is from 2015 "), "same")
    assert refused.value.code == "unchanged"
    fixed = correct(any_rt, first, label("Context: the photo is from 2015"), "typo")
    assert [(a, p["note"]) for a, p in live_on_post(any_rt, fixed)] == [
        ("label", "Context: the photo is from 2015")
    ]


def test_a_changed_internal_note_on_a_removal_changes_nothing(any_rt: Runtime) -> None:
    remove = DecisionIn(reason_code=ReasonCode.FALSE_CLAIM, action=DecisionAction.REMOVE)
    first = decided(any_rt, remove)
    with transaction(any_rt.sessions) as s, pytest.raises(Invalid) as refused:
        corrections.correct(s, first, ANN, remove.model_copy(update={"note": "AFP"}), "note")
    assert refused.value.code == "unchanged"


def test_the_platform_gets_the_new_territories_and_lifts_the_old_ones(
    rt: Runtime, pipeline: InProcessDispatcher, receiver: tuple[ReceiverState, str]
) -> None:
    first = decided(rt, geo("DE"))
    pipeline.drain()
    (old,) = actions_of(rt, first)
    correct(rt, first, geo("FR"), "wrong territory")
    pipeline.drain()
    state = receiver[0]
    wait_for(lambda: len(state.actions_applied()) == 3, what="three platform requests")
    first_sent, *then = [(a["action"], a["params"]) for a in state.actions_applied()]
    assert first_sent == ("geo_restrict", old.params)
    sent = dict(then)
    assert sorted(sent) == ["geo_restrict", "undo"], then
    assert sent["geo_restrict"]["territories"] == ["FR"]
    assert (sent["undo"]["undoes"], sent["undo"]["undoes_action_id"]) == ("geo_restrict", old.id)
    assert len(state.requests) == 3, "nothing was sent twice"
