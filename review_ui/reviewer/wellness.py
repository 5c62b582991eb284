"""Wellness settings per reviewer: media blurred by default, grayscale, a daily exposure cap.

Exposure is the number of distinct cases a reviewer saw today (UTC), counted from the action log
however the case reached them: taken with "next", given to them by a supervisor, decided in bulk,
a second review or a QA sample, skipped, released or escalated. At the cap the console warns (it
does not lock anyone out: a supervisor decides who takes over).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from audit.events import Action
from audit.repository import cases_seen_by
from core.clock import utcnow
from pipeline.repository.console import reviewer_settings, save_reviewer_settings
from review_ui.i18n import Msg
from review_ui.page import CaseWorkerPage, UiPage

router = APIRouter(prefix="/review/wellness")
MAX_CAP = 1000
_DIGITS = re.compile(r"[0-9]{1,4}")


@dataclass(frozen=True)
class Wellness:
    blur_media: bool = True
    grayscale: bool = False
    daily_cap: int | None = None
    seen_today: int = 0

    @property
    def over_cap(self) -> bool:
        return self.daily_cap is not None and self.seen_today >= self.daily_cap


# What a reviewer does only with the case in front of them (a bulk decision shows each post in
# its preview). A reassignment is done by a supervisor; it counts for the reviewer it names.
SEEN = tuple(
    a.value
    for a in (
        Action.CASE_CLAIMED,
        Action.CASE_DECIDED,
        Action.CASE_SECOND_REVIEWED,
        Action.CASE_QA_REVIEWED,
        Action.CASE_SKIPPED,
        Action.CASE_RELEASED,
        Action.CASE_ESCALATED,
        Action.CASE_LEASE_EXTENDED,
        Action.DECISION_CORRECTED,
        Action.DECISION_UNDONE,
    )
)


def seen_today(session: Session, username: str, now: datetime | None = None) -> int:
    midnight = (now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
    return cases_seen_by(session, username, midnight, SEEN)


def wellness_of(session: Session, username: str) -> Wellness:
    row = reviewer_settings(session, username)
    seen = seen_today(session, username)
    if row is None:
        return Wellness(seen_today=seen)
    return Wellness(row.blur_media, row.grayscale, row.daily_cap, seen)


@router.get("", summary="Your wellness settings")
def settings_page(page: CaseWorkerPage) -> Response:
    return _page(page, notice=page.notice({"saved": Msg("Settings saved.")}))


def _page(page: UiPage, *, notice: str = "", error: str = "", status: int = 200) -> Response:
    return page.render(
        "review/wellness.html",
        status,
        wellness=wellness_of(page.session, page.user.username),
        notice=notice,
        error=error,
        max_cap=MAX_CAP,
    )


@router.post("", summary="Save your wellness settings")
def save_settings(
    page: CaseWorkerPage,
    blur_media: Annotated[str, Form()] = "",
    grayscale: Annotated[str, Form()] = "",
    daily_cap: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    cap: int | None = None
    if daily_cap.strip():
        # ASCII digits only: str.isdigit() also takes "²", which int() then refuses (a 500).
        if not _DIGITS.fullmatch(daily_cap.strip()) or not 1 <= int(daily_cap) <= MAX_CAP:
            error = Msg(
                "The daily cap is a whole number from 1 to {cap}, or empty for none.", cap=MAX_CAP
            )
            return _page(page, status=422, error=error)
        cap = int(daily_cap)
    save_reviewer_settings(
        page.session,
        page.user.username,
        blur_media=bool(blur_media),
        grayscale=bool(grayscale),
        daily_cap=cap,
    )
    return RedirectResponse("/ui/review/wellness?notice=saved", status_code=303)
