"""Claim library routes: read by staff, added by PR and admins (reviewers add from a decision:
`pipeline.claim_endpoints`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from claims.models import Origin, Verdict
from claims.schemas import ClaimIn, ClaimOut
from claims.service import add_claim, get_claim, list_claims
from core.principal import AnyStaff, Principal, require_role
from core.roles import Role
from core.web_deps import SessionDep
from core.web_schemas import MAX_OFFSET, RowId

router = APIRouter(prefix="/v1/claims", tags=["claims"])
Editor = Annotated[
    Principal,
    Depends(require_role(Role.REVIEWER, Role.SENIOR_REVIEWER, Role.PR, Role.ADMIN)),
]


@router.get("", response_model=list[ClaimOut], summary="Search the claim library")
def search(
    session: SessionDep,
    _: AnyStaff,
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
def one(claim_id: RowId, session: SessionDep, _: AnyStaff) -> ClaimOut:
    return ClaimOut.model_validate(get_claim(session, claim_id))


@router.post("", response_model=ClaimOut, status_code=201, summary="Add a claim to the library")
def add(body: ClaimIn, session: SessionDep, editor: Editor) -> ClaimOut:
    return ClaimOut.model_validate(add_claim(session, body, editor.actor, origin=Origin.REVIEWER))
