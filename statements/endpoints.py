"""Statement routes under /v1/statements. PR drafts, edits and publishes; a second PR person or
an admin approves; legal approves severe ones. The feed and JSON-LD are public."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlalchemy.orm import Session

from claims.models import Claim
from core.errors import Invalid
from core.outbound import OutboundPolicy, policy_from
from core.principal import Principal, require_role
from core.roles import Role
from core.web_deps import RuntimeDep, SessionDep
from core.web_schemas import MAX_INTEGER, RowId, refusals
from statements import service
from statements.config import StatementSettings, get_statement_settings, public_base_url
from statements.delivery import deliver_pending, sender_from
from statements.feeds import (
    PAGE_CSP,
    PublishedStatement,
    claim_review,
    one_published,
    published,
    render_atom,
    render_page,
)
from statements.generators import Generator, OfflineGenerator, OpenAICompatibleGenerator
from statements.models import Statement
from statements.publishers import Publisher, default_publishers
from statements.schemas import (
    CheckOut,
    DraftIn,
    EditIn,
    SignOffIn,
    StatementFields,
    StatementOut,
    VersionOut,
    WithdrawIn,
)

router = APIRouter(prefix="/v1/statements", tags=["statements"])


def _resolved_settings(
    request: Request,
    rt: RuntimeDep,
    settings: Annotated[StatementSettings, Depends(get_statement_settings)],
) -> StatementSettings:
    """The settings with the public address every absolute link starts with resolved."""
    base = public_base_url(settings, rt.settings, str(request.base_url))
    return settings.model_copy(update={"public_base_url": base})


SettingsDep = Annotated[StatementSettings, Depends(_resolved_settings)]
Writer = Annotated[Principal, Depends(require_role(Role.PR, Role.ADMIN))]
Approver = Annotated[Principal, Depends(require_role(Role.PR, Role.ADMIN))]
Legal = Annotated[Principal, Depends(require_role(Role.LEGAL))]
Reader = Annotated[Principal, Depends(require_role(Role.PR, Role.LEGAL, Role.ADMIN))]


def _generator(choice: str, settings: StatementSettings, outbound: OutboundPolicy) -> Generator:
    if choice == "offline":
        return OfflineGenerator()
    if not settings.llm_url:
        raise Invalid("no LLM configured (STATEMENTS__LLM_URL)", code="generator_not_configured")
    return OpenAICompatibleGenerator(
        settings.llm_url,
        settings.llm_model,
        outbound=outbound,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout,
    )


def _out(statement: Statement) -> StatementOut:
    report = service.checks_for(statement)
    return StatementOut(
        **StatementFields.model_validate(statement).model_dump(),
        checks=CheckOut(
            passed=report.passed,
            failures=[{"code": f.code, "message": f.message} for f in report.failures],
            readability=report.readability,
            readability_measure=report.readability_measure,
            title_length=report.title_length,
            body_length=report.body_length,
            limits={"title": report.limits[0], "body": report.limits[1]},
        ),
    )


@router.get("/feed.atom", summary="Published statements as an Atom feed (public)")
def feed(session: SessionDep, settings: SettingsDep) -> Response:
    body = render_atom(published(session), settings)
    return Response(body, media_type="application/atom+xml")


def _published_with_claim(
    session: Session, statement_id: str
) -> tuple[PublishedStatement, Claim | None]:
    """A published statement (or NotFound) and the claim it answers, if any."""
    item = one_published(session, statement_id)
    claim_id = item.statement.claim_id
    return item, session.get(Claim, claim_id) if claim_id else None


@router.get(
    "/{statement_id}/public",
    response_class=HTMLResponse,
    summary="The public page of a published statement",
)
def public_page(statement_id: RowId, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    item, claim = _published_with_claim(session, statement_id)
    page = render_page(item, settings, claim)
    return HTMLResponse(page, headers={"Content-Security-Policy": PAGE_CSP})


@router.get(
    "/{statement_id}/claimreview.jsonld", summary="schema.org ClaimReview of a published statement"
)
def claimreview(statement_id: RowId, session: SessionDep, settings: SettingsDep) -> Response:
    item, claim = _published_with_claim(session, statement_id)
    doc = claim_review(item, claim, settings)
    return Response(json.dumps(doc, ensure_ascii=False), media_type="application/ld+json")


@router.post("", response_model=StatementOut, status_code=201, summary="Draft a statement")
def create(
    body: DraftIn, rt: RuntimeDep, session: SessionDep, settings: SettingsDep, writer: Writer
) -> StatementOut:
    generator = _generator(body.generator, settings, policy_from(rt.settings))
    made = service.draft(
        session,
        body,
        writer.actor,
        generator,
        platform=settings.platform_name,
        outbound=policy_from(rt.settings),
    )
    return _out(made)


@router.get("/{statement_id}", response_model=StatementOut, summary="A statement and its checks")
def read(statement_id: RowId, session: SessionDep, _: Reader) -> StatementOut:
    return _out(service.get(session, statement_id))


@router.get("/{statement_id}/versions", response_model=list[VersionOut])
def list_versions(statement_id: RowId, session: SessionDep, _: Reader) -> list[VersionOut]:
    return [VersionOut.model_validate(v) for v in service.versions(session, statement_id)]


@router.get("/{statement_id}/diff", response_class=PlainTextResponse, summary="Unified diff")
def version_diff(
    statement_id: RowId,
    session: SessionDep,
    _: Reader,
    old: Annotated[int, Query(alias="from", ge=1, le=MAX_INTEGER)],
    new: Annotated[int, Query(alias="to", ge=1, le=MAX_INTEGER)],
) -> str:
    return service.diff(session, statement_id, old, new)


@router.post(
    "/{statement_id}/edit",
    responses=refusals(409),
    response_model=StatementOut,
    summary="Save a new version",
)
def edit(
    statement_id: RowId, body: EditIn, rt: RuntimeDep, session: SessionDep, writer: Writer
) -> StatementOut:
    outbound = policy_from(rt.settings)
    return _out(service.edit(session, statement_id, body, writer.actor, outbound=outbound))


@router.post("/{statement_id}/approve", responses=refusals(409), response_model=StatementOut)
def approve(
    statement_id: RowId, body: SignOffIn, session: SessionDep, approver: Approver
) -> StatementOut:
    return _out(service.approve(session, statement_id, approver.actor, version=body.version))


@router.post("/{statement_id}/legal-approve", responses=refusals(409), response_model=StatementOut)
def legal_approve(
    statement_id: RowId, body: SignOffIn, session: SessionDep, legal: Legal
) -> StatementOut:
    return _out(service.legal_approve(session, statement_id, legal.actor, version=body.version))


class _Announcer:
    """Publish or withdraw through the publishers, then send the webhook deliveries."""

    def __init__(self, rt: RuntimeDep, session: SessionDep, settings: SettingsDep) -> None:
        self.rt, self.session, self.settings = rt, session, settings

    def __call__(
        self, statement_id: str, change: Callable[[list[Publisher]], Statement]
    ) -> StatementOut:
        sender = sender_from(self.settings, outbound=policy_from(self.rt.settings))
        made = change(default_publishers(webhook=sender is not None))
        self.session.commit()  # deliveries and label tasks go out only once this is durable
        if sender is not None:
            deliver_pending(self.rt.sessions, sender, self.settings, statement_id=statement_id)
            sender.close()
        self.session.refresh(made)
        return _out(made)


Announce = Annotated[_Announcer, Depends()]


@router.post("/{statement_id}/publish", responses=refusals(409), response_model=StatementOut)
def publish(statement_id: RowId, announce: Announce, writer: Writer) -> StatementOut:
    return announce(
        statement_id,
        lambda publishers: service.publish(
            announce.session, statement_id, writer.actor, publishers
        ),
    )


@router.post("/{statement_id}/withdraw", responses=refusals(409), response_model=StatementOut)
def withdraw(
    statement_id: RowId, body: WithdrawIn, announce: Announce, writer: Writer
) -> StatementOut:
    return announce(
        statement_id,
        lambda publishers: service.withdraw(
            announce.session, statement_id, body.reason, writer.actor, publishers
        ),
    )
