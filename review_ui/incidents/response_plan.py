"""The response plan: the version in force with the thresholds and clocks it prints from the
incident policy, every plan and policy version, and (leadership, admins) changing a threshold
or clock, which saves a new policy version and a plan version naming it (`incidents.plan`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from core.errors import DomainError
from core.roles import Role
from incidents import plan, policy_store
from incidents.repository import plans
from review_ui.i18n import Msg
from review_ui.incidents import words
from review_ui.page import StaffPage, UiPage, page_for

router = APIRouter(prefix="/response-plan")
EDITORS = (Role.LEADERSHIP, Role.ADMIN)
Editor = Annotated[UiPage, Depends(page_for(*EDITORS))]


def _page(page: UiPage, *, status: int = 200, error: str = "") -> Response:
    session = page.session
    policy = policy_store.active_incident_policy(session)
    current = plans.current_plan(session)
    return page.render(
        "response_plan.html",
        status,
        version=current.version if current else 0,
        document=plan.plan_document(session),
        policy_version=policy.version,
        policy=policy_store.body_of(policy),
        plans=plans.plan_history(session),
        policies=plans.policy_history(session),
        can_edit=page.user.role in {r.value for r in EDITORS},
        word=words.word,
        error=error,
        notice=page.notice({"changed": Msg("Thresholds changed.")}),
    )


@router.get("", summary="The response plan, its history and its thresholds")
def plan_page(page: StaffPage) -> Response:
    return _page(page)


def _number(raw: object) -> float | None:
    text = str(raw or "").strip()
    return float(text) if text else None


@router.post("/thresholds", summary="Change the plan's thresholds or clocks")
async def change(page: Editor) -> Response:
    form = await page.request.form()
    session = page.session
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
        plan.change_thresholds(session, patch, page.actor)
    except (DomainError, ValueError) as exc:
        session.rollback()
        message = exc.message if isinstance(exc, DomainError) else Msg("numbers only, and a reason")
        return _page(page, status=422, error=message)
    return RedirectResponse("/ui/response-plan?notice=changed", status_code=303)
