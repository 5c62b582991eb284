"""Reviewer endpoints: sign in, claim the next case, decide, release, skip, escalate, reassign."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from accounts.login import LoginRefused, authenticate, log_out_tokens
from accounts.models import User
from accounts.repository import user_named
from accounts.tokens import issue_token
from api.process import AppRuntimeDep
from api.schemas import CasePostView, CaseScoreView
from core.errors import NotFound
from core.principal import AnyStaff, Principal, Reviewer, Supervisor, require_role
from core.refusal import Refusal
from core.roles import Role
from core.web_deps import SessionDep
from core.web_schemas import ErrorResponse, Reason, RowId, StrictIn, refusals
from pipeline.decisions import decide
from pipeline.models import Post, ReviewCase
from pipeline.policy_store import active_policy
from pipeline.queue import QueueFilter, claim_next, escalate, reassign, release, skip
from pipeline.repository import latest_score
from pipeline.schemas import DecisionIn

router = APIRouter(prefix="/v1", tags=["reviewers"])
Legal = Annotated[Principal, Depends(require_role(Role.LEGAL))]
# Whoever holds a case's lease works on it; legal only ever holds cases escalated to legal.
CaseWorker = Annotated[
    Principal, Depends(require_role(Role.REVIEWER, Role.SENIOR_REVIEWER, Role.LEGAL))
]


class ReasonIn(StrictIn):
    reason: str = Field(default="", max_length=2000)


class EscalateIn(StrictIn):
    to: Literal["senior_reviewer", "legal"]
    reason: Reason


class ReassignIn(StrictIn):
    to_username: str = Field(min_length=1, max_length=64)


class TokenRequest(StrictIn):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


@router.post(
    "/auth/token",
    summary="Exchange a username and password for a bearer token",
    responses={
        **refusals(401, 422),
        423: {"model": ErrorResponse, "description": "Locked after repeated failed sign-ins"},
    },
)
def token(body: TokenRequest, rt: AppRuntimeDep, session: SessionDep) -> dict[str, Any]:
    try:
        user = authenticate(session, body.username, body.password, via="api")
    except LoginRefused as refused:
        session.commit()  # the failure count and its log entry stand, as in the UI
        if refused.locked:
            raise Refusal(423, "account_locked", refused.message) from None
        raise Refusal(
            401, "wrong_credentials", refused.message, headers={"WWW-Authenticate": "Bearer"}
        ) from None
    ttl = rt.settings.security.token_ttl_seconds
    signed = issue_token(user, rt.settings.security.secret_key, ttl)
    return {"access_token": signed, "token_type": "bearer", "expires_in": ttl, "role": user.role}


@router.post(
    "/auth/logout",
    status_code=204,
    summary="Sign out: every bearer token of the calling user stops working",
    responses=refusals(401, 403),
)
def logout(session: SessionDep, person: AnyStaff) -> None:
    user = session.get(User, person.user_id)
    if user is None:  # deleted between the check and here: nothing left to revoke
        return
    log_out_tokens(session, user, "api")


def _case_view(session: SessionDep, case: ReviewCase) -> dict[str, Any]:
    post = session.get(Post, case.post_id)
    score = latest_score(session, case.post_id)
    return {
        "id": case.id,
        "status": case.status,
        "stage": case.stage,
        "required_role": case.required_role,
        "lang": case.lang,
        "topic": case.topic,
        "incident_id": case.incident_id,
        "claim_id": case.claim_id,
        "policy_version": case.policy_version,
        "band": case.band,
        "priority": case.priority,
        "due_at": case.due_at.isoformat(),
        "lease_expires_at": case.lease_expires_at.isoformat() if case.lease_expires_at else None,
        "post": CasePostView.model_validate(post).model_dump() if post else None,
        "score": CaseScoreView.model_validate(score).model_dump() if score else None,
    }


@router.post("/cases/claim", summary="Claim the next case in priority order")
def claim(
    session: SessionDep,
    reviewer: Reviewer,
    lang: Annotated[str | None, Query(max_length=16)] = None,
    topic: Annotated[str | None, Query(max_length=64)] = None,
    incident_id: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    filters = QueueFilter(lang=lang, topic=topic, incident_id=incident_id)
    case = claim_next(session, reviewer.actor, filters=filters)
    if case is None:
        return {"case": None}
    return {"case": _case_view(session, case)}


@router.post("/legal/cases/claim", summary="Claim the next case escalated to legal")
def claim_legal(session: SessionDep, lawyer: Legal) -> dict[str, Any]:
    case = claim_next(session, lawyer.actor)
    return {"case": _case_view(session, case) if case else None}


@router.post("/cases/{case_id}/decision", responses=refusals(409), summary="Decide a case you hold")
def decision(
    case_id: RowId, body: DecisionIn, rt: AppRuntimeDep, session: SessionDep, reviewer: CaseWorker
) -> dict[str, Any]:
    policy = active_policy(session, rt.policy)
    made = decide(session, case_id, reviewer.actor, body, policy=policy)
    case = session.get(ReviewCase, case_id)
    return {
        "decision_id": made.id,
        "case_id": case_id,
        "action": made.action,
        "reason_code": made.reason_code,
        "case_status": case.status if case else None,
    }


@router.post(
    "/cases/{case_id}/release", responses=refusals(409), summary="Give a case back to the queue"
)
def release_case(case_id: RowId, session: SessionDep, reviewer: CaseWorker) -> dict[str, Any]:
    case = release(session, case_id, reviewer.actor)
    return {"case_id": case.id, "status": case.status}


@router.post(
    "/cases/{case_id}/skip",
    responses=refusals(409),
    summary="Put a case back; it is not offered to you again soon",
)
def skip_case(
    case_id: RowId, session: SessionDep, reviewer: CaseWorker, body: ReasonIn | None = None
) -> dict[str, Any]:
    case = skip(session, case_id, reviewer.actor, reason=body.reason if body else "")
    return {"case_id": case.id, "status": case.status}


@router.post(
    "/cases/{case_id}/escalate",
    responses=refusals(409),
    summary="Hand a case you hold to seniors or legal",
)
def escalate_case(
    case_id: RowId, body: EscalateIn, session: SessionDep, reviewer: CaseWorker
) -> dict[str, Any]:
    case = escalate(session, case_id, reviewer.actor, body.to, body.reason)
    return {"case_id": case.id, "status": case.status, "required_role": case.required_role}


@router.post(
    "/cases/{case_id}/reassign", responses=refusals(409), summary="Give a case to a named reviewer"
)
def reassign_case(
    case_id: RowId, body: ReassignIn, session: SessionDep, supervisor: Supervisor
) -> dict[str, Any]:
    user = user_named(session, body.to_username)
    if user is None or not user.active:
        raise NotFound(f"no active user {body.to_username!r}")
    case = reassign(session, case_id, supervisor.actor, user.username, (user.role,))
    return {"case_id": case.id, "status": case.status, "claimed_by": case.claimed_by}
