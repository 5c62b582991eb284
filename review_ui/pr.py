"""The PR statements workspace: drafts, edits with diffs, second-person approval, publishing."""

from __future__ import annotations

from typing import Annotated, get_args

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from accounts.models import Role
from api.deps import RuntimeDep, SessionDep
from core.errors import DomainError
from core.outbound import policy_from
from review_ui.auth import UiUser, require_ui_role
from review_ui.statement_view import statement_view
from review_ui.templating import render
from runtime.container import Runtime
from statements import service
from statements.config import get_statement_settings
from statements.delivery import deliver_pending, sender_from
from statements.generators import OfflineGenerator
from statements.models import Statement, StatementKind
from statements.publishers import Publisher, default_publishers
from statements.schemas import DraftIn, EditIn, Severity

router = APIRouter(prefix="/pr")
Pr = Annotated[UiUser, Depends(require_ui_role(Role.PR))]
NOTICES = {
    "drafted": "Draft created.",
    "edited": "Saved as a new version; earlier approvals no longer count.",
    "approved": "Approved.",
    "published": "Published.",
    "corrected": "Correction saved as a new version; approve and publish it to replace the one out.",
    "withdrawn": "Withdrawn from every channel.",
}


def _notice(request: Request) -> str:
    return NOTICES.get(request.query_params.get("notice", ""), "")


@router.get("", summary="Statements workspace")
def workspace_page(request: Request, session: SessionDep, user: Pr) -> Response:
    return workspace(request, session, user)


def workspace(
    request: Request, session: Session, user: UiUser, error: str = "", status: int = 200
) -> Response:
    statements = session.scalars(
        select(Statement).order_by(Statement.created_at.desc()).limit(200)
    ).all()
    return render(
        request,
        "pr/workspace.html",
        user,
        status,
        statements=statements,
        kinds=[k.value for k in StatementKind],
        severities=list(get_args(Severity)),
        notice=_notice(request),
        error=error,
    )


@router.post("/statements", summary="Draft a statement from a fact or a claim")
def create(
    request: Request,
    session: SessionDep,
    user: Pr,
    kind: Annotated[str, Form(max_length=40)],
    fact: Annotated[str, Form(max_length=2000)] = "",
    claim_id: Annotated[str, Form(max_length=64)] = "",
    channel: Annotated[str, Form(max_length=16)] = "web",
    incident_severity: Annotated[str, Form(max_length=16)] = "",
    legal_review: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    try:
        draft_in = DraftIn.model_validate(
            {
                "kind": kind,
                "channel": channel,
                "claim_id": claim_id.strip() or None,
                "facts": {"fact": fact.strip()} if fact.strip() else {},
                "incident_severity": incident_severity or None,
                "legal_review": legal_review == "on",
            }
        )
        made = service.draft(
            session,
            draft_in,
            user.actor,
            OfflineGenerator(),
            platform=get_statement_settings().platform_name,
        )
    except ValidationError as exc:
        msg = "; ".join(str(e["msg"]) for e in exc.errors())
        return workspace(request, session, user, error=f"Draft refused: {msg}", status=422)
    except DomainError as exc:
        session.rollback()
        return workspace(request, session, user, error=exc.message, status=exc.status)
    return RedirectResponse(f"/ui/pr/statements/{made.id}?notice=drafted", status_code=303)


@router.get("/statements/{statement_id}", summary="One statement: text, checks, versions, diff")
def detail_page(request: Request, statement_id: str, session: SessionDep, user: Pr) -> Response:
    return detail(request, statement_id, session, user)


def detail(
    request: Request,
    statement_id: str,
    session: Session,
    user: UiUser,
    error: str = "",
    status: int = 200,
) -> Response:
    return render(
        request,
        "pr/statement.html",
        user,
        status,
        **statement_view(session, statement_id),
        notice=_notice(request),
        error=error,
    )


def _back(statement_id: str, notice: str) -> Response:
    return RedirectResponse(f"/ui/pr/statements/{statement_id}?notice={notice}", status_code=303)


@router.post("/statements/{statement_id}/edit", summary="Save a new version")
def edit(
    request: Request,
    statement_id: str,
    session: SessionDep,
    user: Pr,
    title: Annotated[str, Form(max_length=300)],
    body: Annotated[str, Form(max_length=20_000)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        edit_in = EditIn(title=title.strip(), body=body.strip(), note=note.strip())
        made = service.edit(session, statement_id, edit_in, user.actor)
    except ValidationError:
        error = "Title and body must not be empty."
        return detail(request, statement_id, session, user, error=error, status=422)
    except DomainError as exc:
        session.rollback()
        return detail(request, statement_id, session, user, error=exc.message, status=exc.status)
    return _back(statement_id, "corrected" if made.published_version is not None else "edited")


@router.post("/statements/{statement_id}/approve", summary="Approve (not your own draft)")
def approve(request: Request, statement_id: str, session: SessionDep, user: Pr) -> Response:
    try:
        service.approve(session, statement_id, user.actor)
    except DomainError as exc:
        session.rollback()
        return detail(request, statement_id, session, user, error=exc.message, status=exc.status)
    return _back(statement_id, "approved")


@router.post("/statements/{statement_id}/publish", summary="Publish the approved version")
def publish(
    request: Request, statement_id: str, rt: RuntimeDep, session: SessionDep, user: Pr
) -> Response:
    try:
        service.publish(session, statement_id, user.actor, _publishers())
    except DomainError as exc:
        session.rollback()
        return detail(request, statement_id, session, user, error=exc.message, status=exc.status)
    _deliver(rt, session, statement_id)
    return _back(statement_id, "published")


def _publishers() -> list[Publisher]:
    return default_publishers(webhook=get_statement_settings().webhook_enabled)


def _deliver(rt: Runtime, session: Session, statement_id: str) -> None:
    """Send the statement's webhook deliveries, once what they announce is committed."""
    session.commit()
    settings = get_statement_settings()
    sender = sender_from(settings, outbound=policy_from(rt.settings))
    if sender is not None:
        deliver_pending(rt.sessions, sender, settings, statement_id=statement_id)
        sender.close()


@router.post("/statements/{statement_id}/withdraw", summary="Withdraw a published statement")
def withdraw(
    request: Request,
    statement_id: str,
    rt: RuntimeDep,
    session: SessionDep,
    user: Pr,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if not reason.strip():
        error = "Say why the statement is withdrawn (it is published with the withdrawal)."
        return detail(request, statement_id, session, user, error=error, status=422)
    try:
        service.withdraw(session, statement_id, reason.strip(), user.actor, _publishers())
    except DomainError as exc:
        session.rollback()
        return detail(request, statement_id, session, user, error=exc.message, status=exc.status)
    _deliver(rt, session, statement_id)
    return _back(statement_id, "withdrawn")
