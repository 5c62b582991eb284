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
from core.web_deps import RuntimeDep
from core.web_schemas import said
from review_ui.form_errors import field_problem, joined
from review_ui.form_fields import Document, Note
from review_ui.i18n import Msg
from review_ui.page import ItemPage, UiPage, page_for
from review_ui.pr.statement_view import Shown, statement_view
from statements import repository, service
from statements.checks import URL_RE
from statements.config import get_statement_settings, statement_settings_for
from statements.delivery import deliver_pending, sender_from
from statements.generators import OfflineGenerator
from statements.models import StatementKind, StatementStatus
from statements.publishers import Publisher, default_publishers
from statements.schemas import DraftIn, EditIn, Severity, WithdrawIn
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


Pr = Annotated[UiPage, Depends(page_for(Role.PR))]
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


@router.get("", summary="Statements workspace")
def workspace_page(page: Pr) -> Response:
    return workspace(page)


def workspace(page: UiPage, error: str = "", status: int = 200) -> Response:
    return page.render(
        "pr/workspace.html",
        status,
        statements=repository.statements_newest_first(page.session, limit=200),
        kinds=[k.value for k in StatementKind],
        notice_facts=notice_fields(),
        severities=list(get_args(Severity)),
        notice=page.notice(NOTICES),
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
    page: Pr,
    rt: RuntimeDep,
    kind: Annotated[str, Form(max_length=40)],
    facts: Annotated[dict[str, str], Depends(notice_facts)],
    fact: Note = "",
    claim_id: Annotated[str, Form(max_length=64)] = "",
    channel: Annotated[str, Form(max_length=16)] = "web",
    sources: Document = "",
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
            page.session,
            draft_in,
            page.actor,
            OfflineGenerator(),
            platform=get_statement_settings().platform_name,
            outbound=policy_from(rt.settings),
        )
    except ValidationError as exc:
        msg = joined(_field_error(e) for e in exc.errors())
        return workspace(page, error=Msg("Draft refused: {reason}", reason=msg), status=422)
    except DomainError as exc:
        page.session.rollback()
        return workspace(page, error=exc.message, status=exc.status)
    return RedirectResponse(f"/ui/pr/statements/{made.id}?notice=drafted", status_code=303)


def _field_error(error: Any) -> str:
    if any(str(p).startswith("sources") for p in error["loc"]):
        return Msg("each source must be a full http(s) address, one a line")
    return field_problem(error)


class OnStatement(ItemPage):
    """A statement's page and the forms on it."""

    address = "/ui/pr/statements/"
    path_param = "statement_id"

    def show(
        self, *, error: str = "", status: int = 200, typed: dict[str, str] | None = None
    ) -> Response:
        """`typed`: a refused edit's fields, shown again in the form instead of the stored text."""
        return self.page.render(
            "pr/statement.html",
            status,
            **statement_view(self.session, self.id),
            notice=self.page.notice(NOTICES),
            error=error,
            typed=typed,
        )


PrStatement = Annotated[OnStatement, OnStatement.depends(Role.PR)]


@router.get("/statements/{statement_id}", summary="One statement: text, checks, versions, diff")
def detail_page(it: PrStatement) -> Response:
    return it.show()


@router.post("/statements/{statement_id}/edit", summary="Save a new version")
def edit(
    it: PrStatement,
    rt: RuntimeDep,
    title: Annotated[str, Form(max_length=300)],
    body: Document,
    base_version: Shown,
    note: Note = "",
    sources: Document = "",
) -> Response:
    listed = _sources(sources)
    text = body.strip()
    if listed and not URL_RE.search(text):  # sources added but not linked: list them
        text += "\n\nSources:\n" + "\n".join(f"- {url}" for url in listed)
    typed = {"title": title, "body": body, "note": note, "sources": sources}
    try:
        edit_in = EditIn(
            title=title.strip(),
            body=text,
            note=note.strip(),
            sources=listed,
            base_version=base_version,
        )
        made = service.edit(it.session, it.id, edit_in, it.actor, outbound=policy_from(rt.settings))
    except ValidationError as exc:
        errors = joined(_field_error(e) for e in exc.errors())
        return it.show(error=errors, status=422, typed=typed)
    except DomainError as exc:
        it.session.rollback()
        return it.show(error=exc.message, status=exc.status, typed=typed)
    return it.back("corrected" if made.published_version is not None else "edited")


@router.post("/statements/{statement_id}/approve", summary="Approve (not your own draft)")
def approve(it: PrStatement, version: Shown) -> Response:
    if _is_out(it.session, it.id):
        error = Msg("This version is already published; there is nothing to approve.")
        return it.show(error=error, status=409)
    return it.act("approved", lambda: service.approve(it.session, it.id, it.actor, version=version))


@router.post("/statements/{statement_id}/publish", summary="Publish the approved version")
def publish(it: PrStatement, rt: RuntimeDep) -> Response:
    if _is_out(it.session, it.id):
        error = Msg("This version is already published; edit it to prepare a correction.")
        return it.show(error=error, status=409)
    refused = it.attempt(lambda: service.publish(it.session, it.id, it.actor, _publishers()))
    return refused or _deliver(rt, it, "published")


def _is_out(session: Session, statement_id: str) -> bool:
    """The version on screen is the one the public reads (the buttons are hidden, too)."""
    try:
        found = service.get(session, statement_id)
    except NotFound:
        return False
    return found.published_version == found.version and found.status == StatementStatus.PUBLISHED


def _publishers() -> list[Publisher]:
    return default_publishers(webhook=get_statement_settings().webhook_enabled)


def _deliver(rt: Process, it: OnStatement, notice: str) -> Response:
    """Send the statement's webhook deliveries, once what they announce is committed; then back
    to the statement's page."""
    it.session.commit()
    public = str(it.page.request.base_url)  # the public address
    settings = statement_settings_for(rt.settings, public)
    sender = sender_from(settings, outbound=policy_from(rt.settings))
    if sender is not None:
        deliver_pending(rt.sessions, sender, settings, statement_id=it.id)
        sender.close()
    return it.back(notice)


@router.post("/statements/{statement_id}/withdraw", summary="Withdraw a published statement")
def withdraw(it: PrStatement, rt: RuntimeDep, reason: Note = "") -> Response:
    try:  # the reason the API asks for (`WithdrawIn`: 3 characters besides spaces around)
        WithdrawIn(reason=reason)
    except ValidationError as exc:
        error = joined(field_problem(e) for e in exc.errors())
        if not said(reason):
            error = Msg("Say why the statement is withdrawn (it is published with the withdrawal).")
        return it.show(error=error, status=422)
    refused = it.attempt(
        lambda: service.withdraw(it.session, it.id, reason.strip(), it.actor, _publishers())
    )
    return refused or _deliver(rt, it, "withdrawn")
