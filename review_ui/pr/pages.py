"""The PR statements workspace: drafts, edits with diffs, second-person approval, publishing."""

from __future__ import annotations

from string import Template
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from core.errors import DomainError, NotFound
from core.outbound import policy_from
from core.process import Process
from core.roles import Role
from core.web_deps import RuntimeDep, SessionDep
from review_ui.auth import UiUser, require_ui_role
from review_ui.form_errors import field_problem, joined
from review_ui.i18n import Msg
from review_ui.pr.statement_view import statement_view
from review_ui.templating import render
from statements import repository, service
from statements.checks import URL_RE
from statements.config import get_statement_settings, statement_settings_for
from statements.delivery import deliver_pending, sender_from
from statements.generators import OfflineGenerator
from statements.models import StatementKind, StatementStatus
from statements.publishers import Publisher, default_publishers
from statements.schemas import DraftIn, EditIn, Severity
from statements.templates import TEMPLATES

router = APIRouter(prefix="/pr")
# What a notice template asks for (the counter-statement's come from the claim and the fact).
COMPUTED = {"platform", "verdict", "review_line", "rated_line", "sources_block", "source_lines"}
NOTICE_FACTS = sorted(
    {
        name
        for (kind, _), (title, body) in TEMPLATES.items()
        if kind != "counter_statement"
        for name in Template(f"{title}\n{body}").get_identifiers()
        if name not in COMPUTED and not name.startswith(("fact", "source"))
    }
)


def notice_fields() -> list[dict[str, Any]]:
    """Each notice fact with the kinds that use it, for the draft form's labels."""
    out = []
    for name in NOTICE_FACTS:
        kinds = sorted(
            {
                k
                for (k, _), (t, b) in TEMPLATES.items()
                if name in Template(f"{t}\n{b}").get_identifiers()
            }
        )
        label = FACT_LABELS.get(name) or name.replace("_", " ").capitalize()
        out.append({"name": name, "label": label, "kinds": [k.replace("_", " ") for k in kinds]})
    return out


# The notice facts and statement kinds as the draft form names them (translated per page).
FACT_LABELS = {
    "advisory_url": Msg("Advisory URL"),
    "consequences": Msg("Consequences"),
    "current_status": Msg("Current status"),
    "data_affected": Msg("Data affected"),
    "discovered_at": Msg("Discovered at"),
    "dpo_contact": Msg("DPO contact"),
    "next_update": Msg("Next update"),
    "people_affected": Msg("People affected"),
    "records_affected": Msg("Records affected"),
    "service": Msg("Service"),
    "started_at": Msg("Started at"),
    "status_url": Msg("Status URL"),
    "users_notified": Msg("Users notified"),
    "what_happened": Msg("What happened"),
    "what_to_do": Msg("What to do"),
    "what_we_did": Msg("What we did"),
}
KIND_NAMES = (
    Msg("counter statement"),
    Msg("service interruption"),
    Msg("security incident"),
    Msg("data breach users"),
    Msg("data breach regulator"),
)


Pr = Annotated[UiUser, Depends(require_ui_role(Role.PR))]
NOTICES = {
    "drafted": Msg("Draft created."),
    "edited": Msg("Saved as a new version; earlier approvals no longer count."),
    "approved": Msg("Approved."),
    "published": Msg("Published."),
    "corrected": Msg(
        "Correction saved as a new version; approve and publish it to replace the one out."
    ),
    "withdrawn": Msg("Withdrawn from every channel."),
}


def _notice(request: Request) -> str:
    return NOTICES.get(request.query_params.get("notice", ""), "")


@router.get("", summary="Statements workspace")
def workspace_page(request: Request, session: SessionDep, user: Pr) -> Response:
    return workspace(request, session, user)


def workspace(
    request: Request, session: Session, user: UiUser, error: str = "", status: int = 200
) -> Response:
    statements = repository.statements_newest_first(session, limit=200)
    return render(
        request,
        "pr/workspace.html",
        user,
        status,
        statements=statements,
        kinds=[k.value for k in StatementKind],
        notice_facts=notice_fields(),
        severities=list(get_args(Severity)),
        notice=_notice(request),
        error=error,
    )


async def notice_facts(request: Request) -> dict[str, str]:
    """The notice facts typed in the draft form (`fact_<name>`), only those given."""
    form = await request.form()
    typed = {k: str(form.get(f"fact_{k}", "")).strip()[:2000] for k in NOTICE_FACTS}
    return {k: v for k, v in typed.items() if v}


def _sources(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:20]


@router.post("/statements", summary="Draft a statement from a fact or a claim")
def create(
    request: Request,
    session: SessionDep,
    user: Pr,
    kind: Annotated[str, Form(max_length=40)],
    facts: Annotated[dict[str, str], Depends(notice_facts)],
    fact: Annotated[str, Form(max_length=2000)] = "",
    claim_id: Annotated[str, Form(max_length=64)] = "",
    channel: Annotated[str, Form(max_length=16)] = "web",
    sources: Annotated[str, Form(max_length=20_000)] = "",
    incident_severity: Annotated[str, Form(max_length=16)] = "",
    legal_review: Annotated[str, Form(max_length=8)] = "",
    language: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    if fact.strip():
        facts = {"fact": fact.strip(), **facts}
    try:
        draft_in = DraftIn.model_validate(
            {
                "kind": kind,
                "channel": channel,
                "claim_id": claim_id.strip() or None,
                "facts": facts,
                "sources": _sources(sources),
                "incident_severity": incident_severity or None,
                "legal_review": legal_review == "on",
                "language": language or None,
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
        msg = joined(_field_error(e) for e in exc.errors())
        return workspace(
            request, session, user, error=Msg("Draft refused: {reason}", reason=msg), status=422
        )
    except DomainError as exc:
        session.rollback()
        return workspace(request, session, user, error=exc.message, status=exc.status)
    return RedirectResponse(f"/ui/pr/statements/{made.id}?notice=drafted", status_code=303)


def _field_error(error: Any) -> str:
    if any(str(p).startswith("sources") for p in error["loc"]):
        return Msg("each source must be a full http(s) address, one a line")
    return field_problem(error)


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
    sources: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    listed = _sources(sources)
    text = body.strip()
    if listed and not URL_RE.search(text):  # sources added but not linked: list them
        text += "\n\nSources:\n" + "\n".join(f"- {url}" for url in listed)
    try:
        edit_in = EditIn(title=title.strip(), body=text, note=note.strip(), sources=listed)
        made = service.edit(session, statement_id, edit_in, user.actor)
    except ValidationError as exc:
        error = joined(_field_error(e) for e in exc.errors())
        return detail(request, statement_id, session, user, error=error, status=422)
    except DomainError as exc:
        session.rollback()
        return detail(request, statement_id, session, user, error=exc.message, status=exc.status)
    return _back(statement_id, "corrected" if made.published_version is not None else "edited")


@router.post("/statements/{statement_id}/approve", summary="Approve (not your own draft)")
def approve(request: Request, statement_id: str, session: SessionDep, user: Pr) -> Response:
    if _is_out(session, statement_id):
        error = Msg("This version is already published; there is nothing to approve.")
        return detail(request, statement_id, session, user, error=error, status=409)
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
    if _is_out(session, statement_id):
        error = Msg("This version is already published; edit it to prepare a correction.")
        return detail(request, statement_id, session, user, error=error, status=409)
    try:
        service.publish(session, statement_id, user.actor, _publishers())
    except DomainError as exc:
        session.rollback()
        return detail(request, statement_id, session, user, error=exc.message, status=exc.status)
    _deliver(rt, session, statement_id, request)
    return _back(statement_id, "published")


def _is_out(session: Session, statement_id: str) -> bool:
    """The version on screen is the one the public reads (the buttons are hidden, too)."""
    try:
        found = service.get(session, statement_id)
    except NotFound:
        return False
    return found.published_version == found.version and found.status == StatementStatus.PUBLISHED


def _publishers() -> list[Publisher]:
    return default_publishers(webhook=get_statement_settings().webhook_enabled)


def _deliver(rt: Process, session: Session, statement_id: str, request: Request) -> None:
    """Send the statement's webhook deliveries, once what they announce is committed."""
    session.commit()
    settings = statement_settings_for(rt.settings, str(request.base_url))  # the public address
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
        error = Msg("Say why the statement is withdrawn (it is published with the withdrawal).")
        return detail(request, statement_id, session, user, error=error, status=422)
    try:
        service.withdraw(session, statement_id, reason.strip(), user.actor, _publishers())
    except DomainError as exc:
        session.rollback()
        return detail(request, statement_id, session, user, error=exc.message, status=exc.status)
    _deliver(rt, session, statement_id, request)
    return _back(statement_id, "withdrawn")
