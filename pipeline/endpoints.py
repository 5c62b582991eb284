"""Admin and platform routes of the pipeline: routing policy, dead letters, appeals, restorations."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import Field

from core.clock import utcnow
from core.principal import Admin, Principal, PrincipalDep, Supervisor
from core.web_deps import SessionDep
from core.web_schemas import PostId, Reason, ReasonIn, RowId, StrictIn, refusals
from pipeline import actions, appeals, policy_store
from pipeline.models import EnforcementAction
from pipeline.process import PipelineRuntimeDep
from pipeline.repository.actions import dead_letters as stored_dead_letters
from pipeline.repository.policies import policy_history
from pipeline.routing import RoutingPolicy
from pipeline.schemas import PolicyUpdate, RoutingPolicyBody

router = APIRouter(prefix="/v1", tags=["pipeline admin"])


def appeal_caller(principal: PrincipalDep) -> Principal:
    """The platform relays authors' appeals (a key with the `score` scope); staff may file one."""
    if principal.kind == "platform" and "score" in principal.scopes:
        return principal
    if principal.kind == "user" and {"admin", "senior_reviewer"}.intersection(principal.roles):
        return principal
    raise HTTPException(
        403, "appeals come from the platform ('score' scope) or a senior reviewer or admin"
    )


AppealCaller = Annotated[Principal, Depends(appeal_caller)]


class PreviewIn(StrictIn):
    policy: RoutingPolicyBody
    since_hours: float = Field(default=24.0, gt=0, le=24 * 90)


class BulkRestoreIn(StrictIn):
    reason: Reason
    post_ids: list[str] = Field(default_factory=list, max_length=10_000)
    claim_id: str | None = Field(default=None, max_length=64)


def _policy_view(policy: RoutingPolicy) -> dict[str, Any]:
    return {"version": policy.version, "policy": policy.to_body()}


def _action_view(action: EnforcementAction) -> dict[str, Any]:
    return {
        "id": action.id,
        "post_id": action.post_id,
        "action": action.action,
        "status": action.status,
        "attempts": action.attempts,
        "last_error": action.last_error,
        "idempotency_key": action.idempotency_key,
        "undoes_id": action.undoes_id,
        "created_at": action.created_at.isoformat(),
    }


@router.get("/admin/policy", summary="The active routing policy and its history")
def get_policy(rt: PipelineRuntimeDep, session: SessionDep, _: Admin) -> dict[str, Any]:
    active = policy_store.active_policy(session, rt.policy)
    return {
        **_policy_view(active),
        "history": [
            {"version": policy_store.stored_version(p.version), "author": p.author, "note": p.note}
            for p in policy_history(session)
        ],
    }


@router.put("/admin/policy", summary="Save a new version of the routing policy")
def put_policy(
    body: PolicyUpdate, rt: PipelineRuntimeDep, session: SessionDep, admin: Admin
) -> dict[str, Any]:
    saved = policy_store.save_policy(
        session, body.policy, admin.actor, note=body.note, fallback=rt.policy
    )
    return _policy_view(saved)


@router.post("/admin/policy/preview", summary="How recent posts would route under a candidate")
def preview_policy(body: PreviewIn, session: SessionDep, _: Admin) -> dict[str, Any]:
    candidate = RoutingPolicy.from_body(body.policy.model_dump(), "preview")
    since = utcnow() - timedelta(hours=body.since_hours)
    return {"since": since.isoformat(), "counts": policy_store.preview(session, candidate, since)}


@router.get("/admin/enforcement/dead", summary="Actions the platform never confirmed")
def dead_letters(session: SessionDep, _: Admin) -> dict[str, Any]:
    return {"actions": [_action_view(a) for a in stored_dead_letters(session)]}


@router.post(
    "/admin/enforcement/{action_id}/retry",
    responses=refusals(409),
    summary="Send a dead action again",
)
def retry(action_id: RowId, session: SessionDep, admin: Admin) -> dict[str, Any]:
    return _action_view(actions.retry_dead(session, action_id, admin.actor))


@router.post(
    "/posts/{post_id}/appeal",
    responses=refusals(409),
    summary="The author appeals an action on their post",
)
def appeal(
    post_id: PostId, body: ReasonIn, session: SessionDep, caller: AppealCaller
) -> dict[str, Any]:
    case = appeals.appeal(session, post_id, caller.actor, body.reason)
    return {"case_id": case.id, "status": case.status, "required_role": case.required_role}


@router.post("/admin/posts/{post_id}/restore", summary="Undo every action on a post")
def restore(
    post_id: PostId, body: ReasonIn, session: SessionDep, supervisor: Supervisor
) -> dict[str, Any]:
    undos = actions.restore_post(session, post_id, supervisor.actor, body.reason)
    return {"post_id": post_id, "undo_actions": [_action_view(u) for u in undos]}


@router.post("/admin/restorations", summary="Restore many posts, e.g. all actioned for a claim")
def bulk_restore(body: BulkRestoreIn, session: SessionDep, admin: Admin) -> dict[str, Any]:
    result = actions.bulk_restore(
        session, admin.actor, body.reason, post_ids=body.post_ids, claim_id=body.claim_id
    )
    return {"restored": result.posts, "unchanged": result.unchanged}
