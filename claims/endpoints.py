"""Claim library routes: read by staff, added by reviewers (from decisions), PR and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from accounts.models import Role
from api.deps import Principal, SessionDep, require_role
from api.schemas import MAX_OFFSET
from claims.models import Origin, Verdict
from claims.schemas import ClaimFromDecisionIn, ClaimIn, ClaimOut
from claims.service import add_claim, add_claim_from_decision, get_claim, list_claims

router = APIRouter(prefix="/v1/claims", tags=["claims"])
Staff = Annotated[Principal, Depends(require_role(*Role))]
Editor = Annotated[
    Principal,
    Depends(require_role(Role.REVIEWER, Role.SENIOR_REVIEWER, Role.PR, Role.ADMIN)),
]
Reviewer = Annotated[Principal, Depends(require_role(Role.REVIEWER, Role.SENIOR_REVIEWER))]


@router.get("", response_model=list[ClaimOut], summary="Search the claim library")
def search(
    session: SessionDep,
    _: Staff,
    q: Annotated[str | None, Query(max_length=200)] = None,
    verdict: Verdict | None = None,
    origin: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[ClaimOut]:
    found = list_claims(
        session,
        query=q,
        verdict=verdict.value if verdict else None,
        origin=origin,
        limit=limit,
        offset=offset,
    )
    return [ClaimOut.model_validate(c) for c in found]


@router.get("/{claim_id}", response_model=ClaimOut, summary="One claim")
def one(claim_id: str, session: SessionDep, _: Staff) -> ClaimOut:
    return ClaimOut.model_validate(get_claim(session, claim_id))


@router.post("", response_model=ClaimOut, status_code=201, summary="Add a claim to the library")
def add(body: ClaimIn, session: SessionDep, editor: Editor) -> ClaimOut:
    return ClaimOut.model_validate(add_claim(session, body, editor.actor, origin=Origin.REVIEWER))


@router.post(
    "/from-decision/{decision_id}",
    response_model=ClaimOut,
    status_code=201,
    summary="Add the claim a decided post repeats, and link the post to it",
)
def from_decision(
    decision_id: str, body: ClaimFromDecisionIn, session: SessionDep, reviewer: Reviewer
) -> ClaimOut:
    claim, _ = add_claim_from_decision(session, decision_id, body, reviewer.actor)
    return ClaimOut.model_validate(claim)
