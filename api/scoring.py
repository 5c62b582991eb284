"""The platform's endpoints: score a batch of posts, read a post's status and history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from api.admission import ScoreJob, score_committed
from api.schemas import HistoryEntry, PostStatusOut
from api.serving import ServingDep, rate_limited
from core.db import get_or_not_found
from core.messages import Msg
from core.principal import Principal, require_scope
from core.web_deps import RequestIdDep, SessionDep
from core.web_schemas import refusals
from pipeline.models import Post
from pipeline.repository import latest_score
from pipeline.repository.posts import post_events
from pipeline.schemas import ScoreRequest, ScoreResponse

router = APIRouter(prefix="/v1", tags=["platform"])
ScoreKey = Annotated[Principal, Depends(rate_limited(require_scope("score")))]
ReadKey = Annotated[Principal, Depends(rate_limited(require_scope("read")))]


@router.post(
    "/score",
    response_model=ScoreResponse,
    summary="Score a batch of posts",
    description=(
        "Idempotent by post id: re-sending a post returns the stored result (`cached: true`) "
        "unless its text or the model version changed; new reach counts for the same text are "
        "stored and re-rank its waiting case. 409, and nothing written, when a post's text "
        "changes after a reviewer took or decided it (`post_held`, `post_decided`: send the "
        "edit under a new id) or an id belongs to a drill (`drill_mismatch`)."
    ),
    responses=refusals(400, 401, 403, 409, 413, 422, 429, 503),
)
async def score(
    payload: ScoreRequest,
    request: Request,
    serving: ServingDep,
    principal: ScoreKey,
    rid: RequestIdDep,
) -> ScoreResponse:
    sessions = request.app.state.runtime.sessions
    results = await score_committed(serving, sessions, ScoreJob(payload, principal.actor, rid))
    for result in results:
        serving.metrics.posts_scored.labels(str(result.cached).lower()).inc()
    return ScoreResponse(results=results)


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
    missing = Msg("post {post_id} is unknown", post_id=post_id)
    post = get_or_not_found(session, Post, post_id, missing)
    latest = latest_score(session, post_id)
    events = post_events(session, post_id)
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
