"""The platform's endpoints: score a batch of posts, read a post's status and history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.admission import score_committed
from api.batcher import Overloaded
from api.schemas import HistoryEntry, PostStatusOut
from api.serving import Serving, ServingDep, rate_limited
from audit.models import AuditEvent
from core.actors import Actor
from core.errors import NotFound
from core.principal import Principal, require_scope
from core.refusal import Refusal
from core.web_deps import RequestIdDep, SessionDep
from core.web_schemas import refusals
from pipeline.intake import score_posts
from pipeline.models import Post
from pipeline.repository import latest_score
from pipeline.schemas import ScoreOut, ScoreRequest, ScoreResponse

router = APIRouter(prefix="/v1", tags=["platform"])
ScoreKey = Annotated[Principal, Depends(rate_limited(require_scope("score")))]
ReadKey = Annotated[Principal, Depends(rate_limited(require_scope("read")))]
OVERLOAD_RETRY_SECONDS = 1


@router.post(
    "/score",
    response_model=ScoreResponse,
    summary="Score a batch of posts",
    description=(
        "Idempotent by post id: re-sending a post returns the stored result (`cached: true`) "
        "unless its text or the model version changed."
    ),
    responses=refusals(400, 401, 403, 413, 422, 429, 503),
)
async def score(
    payload: ScoreRequest,
    request: Request,
    serving: ServingDep,
    principal: ScoreKey,
    rid: RequestIdDep,
) -> ScoreResponse:
    sessions = request.app.state.runtime.sessions
    results = await score_committed(serving, sessions, payload, principal.actor, rid)
    for result in results:
        serving.metrics.posts_scored.labels(str(result.cached).lower()).inc()
    return ScoreResponse(results=results)


def score_admitted(
    serving: Serving,
    session: Session,
    payload: ScoreRequest,
    actor: Actor,
    rid: str | None,
    *,
    is_drill: bool = False,
) -> list[ScoreOut]:
    """Score through the admission limit and the batcher: the one path /v1/score and
    /v1/drills/score share, so a drill cannot crowd out the platform's calls."""
    if not serving.admission.acquire(timeout=serving.admission_wait_seconds):
        raise _overloaded("too many scoring requests in flight")
    try:
        return score_posts(
            session,
            serving.batcher,
            payload.posts,
            actor,
            request_id=rid,
            is_drill=is_drill,
            signals=serving.signals,
        )
    except Overloaded as exc:
        raise _overloaded(str(exc)) from exc
    finally:
        serving.admission.release()


def _overloaded(message: str) -> Refusal:
    return Refusal(503, "overloaded", message, headers={"Retry-After": str(OVERLOAD_RETRY_SECONDS)})


@router.get(
    "/posts/{post_id}",
    response_model=PostStatusOut,
    summary="A post's current status and history",
    responses=refusals(401, 403, 404, 422, 429),
)
def post_status(
    post_id: Annotated[str, Path(min_length=1, max_length=128)],
    session: SessionDep,
    _: ReadKey,
) -> PostStatusOut:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(f"post {post_id} is unknown")
    latest = latest_score(session, post_id)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.post_id == post_id).order_by(AuditEvent.seq)
    ).all()
    return PostStatusOut(
        id=post.id,
        status=post.status,
        score=latest.score if latest else None,
        band=(latest.triage_band or latest.band) if latest else None,  # as /v1/score says
        model_version=latest.model_version if latest else None,
        history=[
            HistoryEntry(
                at=e.timestamp, action=e.action, actor=e.actor_name, actor_type=e.actor_type
            )
            for e in events
        ],
    )
