"""The response plan: the version in force with the thresholds and clocks it prints from the
incident policy, every plan and policy version, and (leadership, admins) changing a threshold
or clock, which saves a new policy version and a plan version naming it (`incidents.plan`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from core.errors import DomainError
from core.roles import Role
from core.web_deps import SessionDep
from incidents import plan, policy_store
from incidents.repository import plans
from review_ui.auth import UiUser, require_ui_role
from review_ui.i18n import Msg
from review_ui.templating import render

router = APIRouter(prefix="/response-plan")
EDITORS = (Role.LEADERSHIP, Role.ADMIN)
Staff = Annotated[UiUser, Depends(require_ui_role(*Role))]
Editor = Annotated[UiUser, Depends(require_ui_role(*EDITORS))]


def _page(
    request: Request, session: Session, user: UiUser, *, status: int = 200, error: str = ""
) -> Response:
    policy = policy_store.active_incident_policy(session)
    current = plans.current_plan(session)
    return render(
        request,
        "response_plan.html",
        user,
        status,
        version=current.version if current else 0,
        document=plan.plan_document(session),
        policy_version=policy.version,
        policy=policy_store.body_of(policy),
        plans=plans.plan_history(session),
        policies=plans.policy_history(session),
        can_edit=user.role in {r.value for r in EDITORS},
        error=error,
        notice=Msg("Thresholds changed.")
        if request.query_params.get("notice") == "changed"
        else "",
    )


@router.get("", summary="The response plan, its history and its thresholds")
def plan_page(request: Request, session: SessionDep, user: Staff) -> Response:
    return _page(request, session, user)


def _number(raw: object) -> float | None:
    text = str(raw or "").strip()
    return float(text) if text else None


@router.post("/thresholds", summary="Change the plan's thresholds or clocks")
async def change(request: Request, session: SessionDep, user: Editor) -> Response:
    form = await request.form()
    try:
        current = policy_store.body_of(policy_store.active_incident_policy(session))
        clocks = [
            clock.model_copy(update={"within_minutes": _number(form.get(f"clock-{i}")) or 0})
            for i, clock in enumerate(current.clocks)
        ]
        min_posts = _number(form.get("min_posts"))
        patch = policy_store.IncidentPolicyPatch(
            min_posts=int(min_posts) if min_posts is not None else None,
            window_hours=_number(form.get("window_hours")),
            min_velocity=_number(form.get("min_velocity")),
            clocks=clocks,
            note=str(form.get("note", "")).strip(),
        )
        plan.change_thresholds(session, patch, user.actor)
    except (DomainError, ValueError) as exc:
        session.rollback()
        message = exc.message if isinstance(exc, DomainError) else Msg("numbers only, and a reason")
        return _page(request, session, user, status=422, error=message)
    return RedirectResponse("/ui/response-plan?notice=changed", status_code=303)
