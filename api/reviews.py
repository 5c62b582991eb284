"""Reviewer endpoints: sign in, claim the next case, decide, release."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from accounts.models import Role, User
from api.deps import Principal, RuntimeDep, SessionDep, require_role
from core.security import sign_token, verify_password
from pipeline.decisions import decide
from pipeline.models import Post, ReviewCase, Score
from pipeline.queue import claim_next, release
from pipeline.schemas import DecisionIn

router = APIRouter(prefix="/v1", tags=["reviewers"])
Reviewer = Annotated[Principal, Depends(require_role(Role.REVIEWER, Role.SENIOR_REVIEWER))]


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


@router.post("/auth/token", summary="Exchange a username and password for a bearer token")
def token(body: TokenRequest, rt: RuntimeDep, session: SessionDep) -> dict[str, Any]:
    user = session.scalars(select(User).where(User.username == body.username)).first()
    if user is None or not user.active or not verify_password(body.password, user.password_hash):
        raise HTTPException(401, "wrong username or password")
    ttl = rt.settings.security.token_ttl_seconds
    signed = sign_token({"sub": user.id, "role": user.role}, rt.settings.security.secret_key, ttl)
    return {"access_token": signed, "token_type": "bearer", "expires_in": ttl, "role": user.role}


def _case_view(session: SessionDep, case: ReviewCase) -> dict[str, Any]:
    post = session.get(Post, case.post_id)
    score = session.scalars(
        select(Score).where(Score.post_id == case.post_id).order_by(Score.created_at.desc())
    ).first()
    return {
        "id": case.id,
        "status": case.status,
        "band": case.band,
        "priority": case.priority,
        "due_at": case.due_at.isoformat(),
        "lease_expires_at": case.lease_expires_at.isoformat() if case.lease_expires_at else None,
        "post": {
            "id": post.id,
            "text": post.text,
            "author_id": post.author_id,
            "views": post.views,
            "shares": post.shares,
        }
        if post
        else None,
        "score": {
            "score": score.score,
            "band": score.band,
            "reasons": score.reasons,
            "model_version": score.model_version,
        }
        if score
        else None,
    }


@router.post("/cases/claim", summary="Claim the next case in priority order")
def claim(session: SessionDep, reviewer: Reviewer) -> dict[str, Any]:
    case = claim_next(session, reviewer.actor)
    if case is None:
        return {"case": None}
    return {"case": _case_view(session, case)}


@router.post("/cases/{case_id}/decision", summary="Decide a case you hold")
def decision(
    case_id: str, body: DecisionIn, session: SessionDep, reviewer: Reviewer
) -> dict[str, Any]:
    made = decide(session, case_id, reviewer.actor, body)
    return {
        "decision_id": made.id,
        "case_id": case_id,
        "action": made.action,
        "reason_code": made.reason_code,
    }


@router.post("/cases/{case_id}/release", summary="Give a case back to the queue")
def release_case(case_id: str, session: SessionDep, reviewer: Reviewer) -> dict[str, Any]:
    case = release(session, case_id, reviewer.actor)
    return {"case_id": case.id, "status": case.status}
