"""Supervising the queue (senior reviewers and admins): open cases, who is working what, and
reassigning a case to a reviewer who may take it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from accounts.repository import user_named
from core.roles import Role
from core.web_deps import SessionDep
from pipeline import queue
from review_ui.auth import UiUser, require_ui_role
from review_ui.form_actions import run_or_refuse
from review_ui.i18n import Msg
from review_ui.reviewer.bulk import BULK_CAP, BULK_CHOICES
from review_ui.reviewer.pages import REASON_LABELS
from review_ui.roles import DASHBOARD_VIEWERS
from review_ui.supervisor import data
from review_ui.templating import render

router = APIRouter(prefix="/supervise")
Supervisor = Annotated[UiUser, Depends(require_ui_role(*DASHBOARD_VIEWERS))]
PAGE_SIZE = 100
NOTICES = {
    "assigned": "Case reassigned; its new reviewer holds the lease now.",
}


def _page(
    request: Request, session: Session, user: UiUser, *, status: int = 200, error: str = ""
) -> Response:
    cases, total = data.open_cases(session, PAGE_SIZE)
    notice = NOTICES.get(request.query_params.get("notice", ""), "")
    if request.query_params.get("notice") == "bulk":
        done, skipped = (
            request.query_params.get("done", "0"),
            request.query_params.get("skipped", "0"),
        )
        notice = f"Bulk decision applied to {done[:4]} cases." + (
            f" {skipped[:4]} could not be taken and were skipped." if skipped != "0" else ""
        )
    return render(
        request,
        "supervise.html",
        user,
        status,
        cases=cases,
        total=total,
        figures=data.reviewer_figures(session),
        oldest=data.age_text(data.oldest_age(session)),
        bulk=user.role == Role.SENIOR_REVIEWER.value,
        bulk_cap=BULK_CAP,
        bulk_actions=BULK_CHOICES,
        reasons=list(REASON_LABELS.items()),
        error=error,
        notice=notice,
    )


@router.get("", summary="Open and claimed cases, with reassignment")
def cases_page(request: Request, session: SessionDep, user: Supervisor) -> Response:
    return _page(request, session, user)


@router.post("/cases/{case_id}/reassign", summary="Give a case to a named reviewer")
def reassign(
    request: Request,
    case_id: str,
    session: SessionDep,
    user: Supervisor,
    to_username: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    target = user_named(session, to_username.strip())
    if target is None or not target.active:
        return _page(request, session, user, status=422, error=Msg("Choose an active reviewer."))
    return run_or_refuse(
        session,
        lambda: queue.reassign(session, case_id[:32], user.actor, target.username, (target.role,)),
        done="/ui/supervise?notice=assigned",
        refused=lambda error, status: _page(request, session, user, status=status, error=error),
    )
