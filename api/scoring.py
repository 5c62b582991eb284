"""The platform's endpoints: score a batch of posts, read a post's status and history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy import select

from api.deps import Principal, RequestIdDep, RuntimeDep, SessionDep, require_scope
from audit.models import AuditEvent
from core.errors import NotFound
from pipeline.intake import score_posts
from pipeline.models import Post, Score
from pipeline.schemas import ScoreRequest, ScoreResponse

router = APIRouter(prefix="/v1", tags=["platform"])
ScoreKey = Annotated[Principal, Depends(require_scope("score"))]
ReadKey = Annotated[Principal, Depends(require_scope("read"))]


@router.post("/score", response_model=ScoreResponse, summary="Score a batch of posts")
def score(
    payload: ScoreRequest,
    rt: RuntimeDep,
    session: SessionDep,
    principal: ScoreKey,
    rid: RequestIdDep,
) -> ScoreResponse:
    results = score_posts(session, rt.classifier, payload.posts, principal.actor, request_id=rid)
    return ScoreResponse(results=results)


@router.get("/posts/{post_id}", summary="A post's current status and history")
def post_status(post_id: str, session: SessionDep, _: ReadKey) -> dict[str, Any]:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(f"post {post_id} is unknown")
    latest = session.scalars(
        select(Score).where(Score.post_id == post_id).order_by(Score.created_at.desc())
    ).first()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(AuditEvent.seq)
    ).all()
    return {
        "id": post.id,
        "status": post.status,
        "score": latest.score if latest else None,
        "band": latest.band if latest else None,
        "model_version": latest.model_version if latest else None,
        "history": [
            {
                "at": e.timestamp.isoformat(),
                "action": e.action,
                "actor": e.actor_name,
                "actor_type": e.actor_type,
            }
            for e in events
        ],
    }
