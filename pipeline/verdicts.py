"""The rules every reviewer verdict obeys, whatever it answers: a decision, a second review, a
correction, a bulk decision or a QA sample's blind verdict."""

from __future__ import annotations

from core.errors import Invalid
from core.messages import Msg
from pipeline.schemas import DecisionAction, DecisionIn, ReasonCode

__all__ = ["validate_decision"]


def validate_decision(decision: DecisionIn) -> None:
    if decision.reason_code is ReasonCode.OTHER and not decision.note.strip():
        raise Invalid(Msg("reason 'other' needs a note"), code="note_required")
    if decision.action is DecisionAction.LABEL and not decision.note.strip():
        raise Invalid(Msg("a label needs its note text"), code="note_required")
    if decision.action is DecisionAction.GEO_RESTRICT and not decision.territories:
        raise Invalid(
            Msg("geo-restriction needs at least one territory"), code="territories_required"
        )
    if (
        decision.reason_code is ReasonCode.NOT_MISINFORMATION
        and decision.action is not DecisionAction.NO_ACTION
    ):
        raise Invalid(
            Msg("'not misinformation' cannot carry an enforcement action"), code="inconsistent"
        )
