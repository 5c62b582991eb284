"""A reviewer turns what they decided into a library claim, linked to the decided post."""

from __future__ import annotations

from fastapi import APIRouter

from claims.schemas import ClaimFromDecisionIn, ClaimOut
from core.principal import Reviewer
from core.web_deps import SessionDep
from core.web_schemas import RowId
from pipeline.claim_links import add_claim_from_decision

router = APIRouter(prefix="/v1/claims", tags=["claims"])


@router.post(
    "/from-decision/{decision_id}",
    response_model=ClaimOut,
    status_code=201,
    summary="Add the claim a decided post repeats, and link the post to it",
)
def from_decision(
    decision_id: RowId, body: ClaimFromDecisionIn, session: SessionDep, reviewer: Reviewer
) -> ClaimOut:
    claim, _ = add_claim_from_decision(session, decision_id, body, reviewer.actor)
    return ClaimOut.model_validate(claim)
