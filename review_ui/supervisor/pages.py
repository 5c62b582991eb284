"""Supervising the queue (senior reviewers and admins): open cases, who is working what, and
reassigning a case to a reviewer who may take it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.responses import Response

from accounts.repository import user_named
from core.roles import Role
from pipeline import queue
from review_ui.i18n import Msg
from review_ui.page import DashboardPage, UiPage
from review_ui.reviewer.bulk import BULK_CAP, BULK_CHOICES
from review_ui.reviewer.pages import REASON_LABELS
from review_ui.supervisor import data

router = APIRouter(prefix="/supervise")
PAGE_SIZE = 100
NOTICES = {
    "assigned": "Case reassigned; its new reviewer holds the lease now.",
}


def _page(page: UiPage, *, status: int = 200, error: str = "") -> Response:
    cases, total = data.open_cases(page.session, PAGE_SIZE)
    notice: str = page.notice(NOTICES)
    if page.query("notice") == "bulk":
        notice = _bulk_notice(page)
    return page.render(
        "supervise.html",
        status,
        cases=cases,
        total=total,
        figures=data.reviewer_figures(page.session),
        oldest=data.age_text(data.oldest_age(page.session)),
        bulk=page.user.role == Role.SENIOR_REVIEWER.value,
        bulk_cap=BULK_CAP,
        bulk_actions=BULK_CHOICES,
        reasons=list(REASON_LABELS.items()),
        error=error,
        notice=notice,
    )


def _bulk_notice(page: UiPage) -> str:
    """The page's own sentence for the counts the bulk apply's redirect carries (whole numbers,
    at most one bulk decision's cases in all); anything else in the link shows no notice, so a
    crafted link cannot put its text on the page."""
    done, skipped = _count(page.query("done")), _count(page.query("skipped"))
    if done is None or skipped is None or not 0 < done + skipped <= BULK_CAP:
        return ""
    if skipped:
        return Msg(
            "Bulk decision applied to {done} cases. {skipped} could not be taken and were skipped.",
            done=done,
            skipped=skipped,
        )
    return Msg("Bulk decision applied to {done} cases.", done=done)


def _count(text: str) -> int | None:
    """A count of a bulk decision's cases (at most BULK_CAP, so a few digits), else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else None


@router.get("", summary="Open and claimed cases, with reassignment")
def cases_page(page: DashboardPage) -> Response:
    return _page(page)


@router.post("/cases/{case_id}/reassign", summary="Give a case to a named reviewer")
def reassign(
    case_id: str, page: DashboardPage, to_username: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    target = user_named(page.session, to_username.strip())
    if target is None or not target.active:
        return _page(page, status=422, error=Msg("Choose an active reviewer."))
    return page.act(
        lambda: queue.reassign(
            page.session, case_id[:32], page.actor, target.username, (target.role,)
        ),
        done="/ui/supervise?notice=assigned",
        refused=lambda error, status: _page(page, status=status, error=error),
    )
