"""Legal: holds that keep a case's, incident's or post's events past retention, and verifying
the action log's hash chain. Both over audit's own functions, which log what they do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.responses import Response

from api.process import AppRuntimeDep
from audit.holds import HoldSubject, active_holds, release_hold, set_hold
from audit.operations import verify
from review_ui.form_fields import Note
from review_ui.page import LegalPage, UiPage

router = APIRouter(prefix="/legal")
NOTICES = {"held": "Hold set.", "released": "Hold released."}


def _holds_page(
    page: UiPage, *, status: int = 200, error: str = "", form: dict[str, str] | None = None
) -> Response:
    return page.render(
        "legal/holds.html",
        status,
        holds=active_holds(page.session),
        kinds=[k.value for k in HoldSubject],
        error=error,
        form=form or {"subject_type": "case", "subject_id": ""},
        notice=page.notice(NOTICES),
    )


def _prefill(page: UiPage) -> dict[str, str]:
    """A case page links here with the case filled in."""
    return {
        "subject_type": page.query("subject_type", "case")[:16],
        "subject_id": page.query("subject_id")[:128],
    }


@router.get("/holds", summary="Active legal holds")
def holds_page(page: LegalPage) -> Response:
    return _holds_page(page, form=_prefill(page))


@router.post("/holds", summary="Put a case, incident or post on legal hold")
def add_hold(
    page: LegalPage,
    subject_type: Annotated[str, Form(max_length=16)] = "",
    subject_id: Annotated[str, Form(max_length=128)] = "",
    reason: Note = "",
) -> Response:
    form = {"subject_type": subject_type, "subject_id": subject_id, "reason": reason}
    try:
        kind = HoldSubject(subject_type)
    except ValueError:
        error = "Choose what to hold: a case, an incident or a post."
        return _holds_page(page, status=422, error=error, form=form)
    return page.act(
        lambda: set_hold(page.session, kind, subject_id.strip(), reason, page.actor),
        done="/ui/legal/holds?notice=held",
        refused=lambda error, status: _holds_page(page, status=status, error=error, form=form),
    )


@router.post("/holds/{hold_id}/release", summary="Release a legal hold")
def release(hold_id: str, page: LegalPage, reason: Note = "") -> Response:
    return page.act(
        lambda: release_hold(page.session, hold_id[:32], reason, page.actor),
        done="/ui/legal/holds?notice=released",
        refused=lambda error, status: _holds_page(page, status=status, error=error),
    )


@router.post("/verify", summary="Walk the action log's hash chain and show the first break")
def run_verify(rt: AppRuntimeDep, page: LegalPage) -> Response:
    report = verify(rt, page.actor)  # logs its own result, in its own transaction
    return page.render("legal/verify.html", report=report)
