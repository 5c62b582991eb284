"""Supervising the queue (senior reviewers and admins): open cases and reassigning them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from accounts.models import User
from api.deps import SessionDep
from core.errors import DomainError
from pipeline import queue
from pipeline.models import CaseStatus, ReviewCase
from review_ui.auth import UiUser, require_ui_role
from review_ui.roles import DASHBOARD_VIEWERS, REVIEWERS
from review_ui.templating import render

router = APIRouter(prefix="/supervise")
Supervisor = Annotated[UiUser, Depends(require_ui_role(*DASHBOARD_VIEWERS))]
CASE_WORKER_ROLES = (*(r.value for r in REVIEWERS), "legal")
PAGE_SIZE = 100


def _page(
    request: Request, session: Session, user: UiUser, *, status: int = 200, error: str = ""
) -> Response:
    cases = session.scalars(
        select(ReviewCase)
        .where(
            ReviewCase.status.in_([CaseStatus.OPEN, CaseStatus.CLAIMED]),
            ReviewCase.is_drill.is_(False),  # drills run their own queue
        )
        .order_by(ReviewCase.priority.desc(), ReviewCase.created_at)
        .limit(PAGE_SIZE)
    ).all()
    workers = session.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_(CASE_WORKER_ROLES))
        .order_by(User.role, User.username)
    ).all()
    return render(
        request,
        "supervise.html",
        user,
        status,
        cases=cases,
        workers=workers,
        error=error,
        notice="Case reassigned; its new reviewer holds the lease now."
        if request.query_params.get("notice") == "assigned"
        else "",
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
    target = session.scalars(select(User).where(User.username == to_username.strip())).first()
    if target is None or not target.active:
        return _page(request, session, user, status=422, error="Choose an active reviewer.")
    try:
        queue.reassign(session, case_id[:32], user.actor, target.username, (target.role,))
    except DomainError as exc:
        session.rollback()
        return _page(request, session, user, status=exc.status, error=exc.message)
    return RedirectResponse("/ui/supervise?notice=assigned", status_code=303)
