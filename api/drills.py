"""`/v1/drills/*`: drill posts through the real scoring path, and the drill's simulated
reviewers on drill cases only (an API key with the `drill` scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api.admission import ScoreJob, score_admitted
from api.serving import ServingDep, rate_limited
from core.principal import Principal, require_scope
from core.web_deps import RequestIdDep, SessionDep
from core.web_schemas import RowId, refusals
from incidents import drill_queue
from pipeline.policy_store import active_policy
from pipeline.process import PipelineRuntimeDep
from pipeline.queue import release
from pipeline.schemas import DecisionIn, ScoreRequest, ScoreResponse

router = APIRouter(prefix="/v1", tags=["incidents"])
# Drills are held to the same per-key rate limit as the platform's scoring calls.
DrillKey = Annotated[Principal, Depends(rate_limited(require_scope("drill")))]


@router.post(
    "/drills/score",
    response_model=ScoreResponse,
    summary="Score drill posts",
    responses=refusals(400, 401, 403, 409, 413, 422, 429, 503),
)
def drill_score(
    payload: ScoreRequest,
    serving: ServingDep,
    session: SessionDep,
    key: DrillKey,
    rid: RequestIdDep,
) -> ScoreResponse:
    """The platform scoring path (rate limit, admission, batcher), every post and event marked
    as drill data. A drill uses post ids of its own: an id of a real post is refused (409
    `drill_mismatch`), and nothing of the request is written."""
    job = ScoreJob(payload, key.actor, rid, is_drill=True)
    return ScoreResponse(results=score_admitted(serving, session, job))


@router.post("/drills/cases/claim", summary="A simulated reviewer claims the next drill case")
def drill_claim(session: SessionDep, key: DrillKey) -> dict[str, Any]:
    case = drill_queue.claim_drill_case(session, drill_queue.drill_reviewer(key.name))
    if case is None:
        return {"case": None}
    return {"case": {"id": case.id, "post": {"id": case.post_id}, "stage": case.stage}}


@router.post(
    "/drills/cases/{case_id}/decision",
    responses=refusals(409),
    summary="Decide a drill case the drill holds",
)
def drill_decision(
    case_id: RowId, body: DecisionIn, rt: PipelineRuntimeDep, session: SessionDep, key: DrillKey
) -> dict[str, Any]:
    made = drill_queue.decide_drill_case(
        session,
        case_id,
        drill_queue.drill_reviewer(key.name),
        body,
        active_policy(session, rt.policy),
    )
    return {"decision_id": made.id, "case_id": case_id, "action": made.action}


@router.post(
    "/drills/cases/{case_id}/release",
    responses=refusals(404, 409),
    summary="Put a drill case the drill holds back in the drill queue",
)
def drill_release(case_id: RowId, session: SessionDep, key: DrillKey) -> dict[str, Any]:
    """A drill run's reviewers put back a case of another run (it is that run's to decide);
    they are not offered it again for a while. Only a case this key holds can be put back."""
    case = release(session, case_id, drill_queue.drill_reviewer(key.name))
    return {"case_id": case.id, "status": case.status}
