"""Legal: holds that keep a case's, incident's or post's events past retention, and verifying
the action log's hash chain. Both over audit's own functions, which log what they do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.process import AppRuntimeDep
from audit.holds import HoldSubject, active_holds, release_hold, set_hold
from audit.operations import verify
from core.roles import Role
from core.web_deps import SessionDep
from review_ui.auth import UiUser, require_ui_role
from review_ui.form_actions import run_or_refuse
from review_ui.templating import render

router = APIRouter(prefix="/legal")
Legal = Annotated[UiUser, Depends(require_ui_role(Role.LEGAL))]
NOTICES = {"held": "Hold set.", "released": "Hold released."}


def _holds_page(
    request: Request,
    session: Session,
    user: UiUser,
    *,
    status: int = 200,
    error: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "legal/holds.html",
        user,
        status,
        holds=active_holds(session),
        kinds=[k.value for k in HoldSubject],
        error=error,
        form=form or _prefill(request),
        notice=NOTICES.get(request.query_params.get("notice", ""), ""),
    )


def _prefill(request: Request) -> dict[str, str]:
    """A case page links here with the case filled in."""
    params = request.query_params
    return {
        "subject_type": params.get("subject_type", "case")[:16],
        "subject_id": params.get("subject_id", "")[:128],
    }


@router.get("/holds", summary="Active legal holds")
def holds_page(request: Request, session: SessionDep, user: Legal) -> Response:
    return _holds_page(request, session, user)


@router.post("/holds", summary="Put a case, incident or post on legal hold")
def add_hold(
    request: Request,
    session: SessionDep,
    user: Legal,
    subject_type: Annotated[str, Form(max_length=16)] = "",
    subject_id: Annotated[str, Form(max_length=128)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = {"subject_type": subject_type, "subject_id": subject_id, "reason": reason}
    try:
        kind = HoldSubject(subject_type)
    except ValueError:
        error = "Choose what to hold: a case, an incident or a post."
        return _holds_page(request, session, user, status=422, error=error, form=form)
    return run_or_refuse(
        session,
        lambda: set_hold(session, kind, subject_id.strip(), reason, user.actor),
        done="/ui/legal/holds?notice=held",
        refused=lambda error, status: _holds_page(
            request, session, user, status=status, error=error, form=form
        ),
    )


@router.post("/holds/{hold_id}/release", summary="Release a legal hold")
def release(
    request: Request,
    hold_id: str,
    session: SessionDep,
    user: Legal,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return run_or_refuse(
        session,
        lambda: release_hold(session, hold_id[:32], reason, user.actor),
        done="/ui/legal/holds?notice=released",
        refused=lambda error, status: _holds_page(
            request, session, user, status=status, error=error
        ),
    )


@router.post("/verify", summary="Walk the action log's hash chain and show the first break")
def run_verify(request: Request, rt: AppRuntimeDep, user: Legal) -> Response:
    report = verify(rt, user.actor)  # logs its own result, in its own transaction
    return render(request, "legal/verify.html", user, report=report)
