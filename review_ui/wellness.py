"""Wellness settings per reviewer: media blurred by default, grayscale, a daily exposure cap.

Exposure is the number of cases a reviewer claimed today (UTC), counted from the action log; at the cap the console warns (it does not lock anyone out:
a supervisor decides who takes over).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.deps import SessionDep
from audit.events import Action
from audit.models import AuditEvent
from core.clock import utcnow
from pipeline.console_models import ReviewerSettings
from review_ui.auth import UiUser, require_ui_role
from review_ui.roles import CASE_WORKERS
from review_ui.templating import render

router = APIRouter(prefix="/review/wellness")
Reviewer = Annotated[UiUser, Depends(require_ui_role(*CASE_WORKERS))]
MAX_CAP = 1000


@dataclass(frozen=True)
class Wellness:
    blur_media: bool = True
    grayscale: bool = False
    daily_cap: int | None = None
    seen_today: int = 0

    @property
    def over_cap(self) -> bool:
        return self.daily_cap is not None and self.seen_today >= self.daily_cap


def seen_today(session: Session, username: str, now: datetime | None = None) -> int:
    midnight = (now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
    count = session.scalar(
        select(func.count(func.distinct(AuditEvent.case_id))).where(
            AuditEvent.timestamp >= midnight,
            AuditEvent.action == Action.CASE_CLAIMED.value,
            AuditEvent.actor_name == username,
            AuditEvent.is_drill.is_(False),
        )
    )
    return int(count or 0)


def wellness_of(session: Session, username: str) -> Wellness:
    row = session.get(ReviewerSettings, username)
    seen = seen_today(session, username)
    if row is None:
        return Wellness(seen_today=seen)
    return Wellness(row.blur_media, row.grayscale, row.daily_cap, seen)


def save(
    session: Session, username: str, *, blur_media: bool, grayscale: bool, daily_cap: int | None
) -> None:
    row = session.get(ReviewerSettings, username)
    if row is None:
        row = ReviewerSettings(username=username)
        session.add(row)
    row.blur_media, row.grayscale, row.daily_cap = blur_media, grayscale, daily_cap


@router.get("", summary="Your wellness settings")
def settings_page(request: Request, session: SessionDep, user: Reviewer) -> Response:
    notice = "Settings saved." if request.query_params.get("notice") == "saved" else ""
    return _page(request, session, user, notice=notice)


def _page(
    request: Request,
    session: Session,
    user: UiUser,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    return render(
        request,
        "review/wellness.html",
        user,
        status,
        wellness=wellness_of(session, user.username),
        notice=notice,
        error=error,
        max_cap=MAX_CAP,
    )


@router.post("", summary="Save your wellness settings")
def save_settings(
    request: Request,
    session: SessionDep,
    user: Reviewer,
    blur_media: Annotated[str, Form()] = "",
    grayscale: Annotated[str, Form()] = "",
    daily_cap: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    cap: int | None = None
    if daily_cap.strip():
        if not daily_cap.strip().isdigit() or not 1 <= int(daily_cap) <= MAX_CAP:
            return _page(
                request,
                session,
                user,
                status=422,
                error=f"The daily cap is a whole number from 1 to {MAX_CAP}, or empty for none.",
            )
        cap = int(daily_cap)
    save(
        session,
        user.username,
        blur_media=bool(blur_media),
        grayscale=bool(grayscale),
        daily_cap=cap,
    )
    return RedirectResponse("/ui/review/wellness?notice=saved", status_code=303)
