"""Legal's part of the statements workflow: reading drafts that need legal sign-off, approving.

Who may approve what is the statements service's rule (a second person, checks passing);
this page only shows legal the statements waiting on them and calls `legal_approve`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from core.roles import Role
from core.web_deps import SessionDep
from review_ui.auth import UiUser, require_ui_role
from review_ui.form_actions import run_or_refuse
from review_ui.i18n import Msg
from review_ui.pr.statement_view import statement_view
from review_ui.templating import render
from statements import repository, service
from statements.models import Statement, StatementStatus

router = APIRouter(prefix="/legal/statements")
Legal = Annotated[UiUser, Depends(require_ui_role(Role.LEGAL))]


def _waiting(statement: Statement) -> bool:
    return (
        statement.requires_legal
        and statement.status == StatementStatus.DRAFT
        and statement.legal_approved_version != statement.version
    )


@router.get("", summary="Statements that need legal approval")
def queue_page(request: Request, session: SessionDep, user: Legal) -> Response:
    severe = repository.needing_legal_newest_first(session, limit=200)
    return render(
        request,
        "legal/statements.html",
        user,
        waiting=[s for s in severe if _waiting(s)],
        others=[s for s in severe if not _waiting(s)],
    )


@router.get("/{statement_id}", summary="A statement for legal review")
def detail_page(request: Request, statement_id: str, session: SessionDep, user: Legal) -> Response:
    return _detail(request, statement_id, session, user)


def _detail(
    request: Request,
    statement_id: str,
    session: Session,
    user: UiUser,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    view = statement_view(session, statement_id[:32])
    return render(
        request,
        "legal/statement.html",
        user,
        status,
        **view,
        waiting=_waiting(view["statement"]),
        error=error,
        notice=Msg("Legal approval recorded.")
        if request.query_params.get("notice") == "approved"
        else "",
    )


@router.post("/{statement_id}/approve", summary="Give legal approval to the current version")
def approve(request: Request, statement_id: str, session: SessionDep, user: Legal) -> Response:
    return run_or_refuse(
        session,
        lambda: service.legal_approve(session, statement_id[:32], user.actor),
        done=f"/ui/legal/statements/{statement_id[:32]}?notice=approved",
        refused=lambda error, status: _detail(
            request, statement_id, session, user, error=error, status=status
        ),
    )
