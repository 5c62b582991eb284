"""Legal's API over the action log: search, aggregations, exports, verify, holds, DSA statements.

Only the legal and admin roles get in; every search and export is itself logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import Field, ValidationError
from sqlalchemy.orm import Session

from audit import anchors, repository
from audit.events import Action, Subject, action_named
from audit.export_stream import export_download
from audit.holds import HoldSubject, active_holds, release_hold, set_hold
from audit.operations import dsa_statement_lines, log_reader, outbox_lag, record_search, verify
from audit.process import AuditRuntimeDep
from audit.schemas import (
    MAX_PAGE,
    Aggregations,
    ExportFormat,
    HoldList,
    HoldView,
    Manifest,
    Page,
    SearchFilters,
)
from audit.service import record
from core.errors import Invalid, NotFound
from core.principal import Principal, require_role
from core.roles import Role
from core.web_deps import RequestIdDep, SessionDep
from core.web_schemas import RowId, StrictIn, refusals

router = APIRouter(prefix="/v1/audit", tags=["legal: action log"])
Legal = Annotated[Principal, Depends(require_role(Role.LEGAL, Role.ADMIN))]


def search_filters(
    since: datetime | None = None,
    until: datetime | None = None,
    post_id: str | None = None,
    case_id: str | None = None,
    incident_id: str | None = None,
    actor: str | None = None,
    action: Annotated[list[str] | None, Query()] = None,
    policy_version: str | None = None,
    q: Annotated[str | None, Query(description="full text of reasons and notes")] = None,
    include_drills: bool = False,
) -> SearchFilters:
    try:
        actions = tuple(action_named(a) for a in action or ())
    except ValueError as exc:
        raise Invalid(f"bad search filter: {exc}", code="bad_filter") from exc
    try:
        return SearchFilters(
            since=since,
            until=until,
            post_id=post_id,
            case_id=case_id,
            incident_id=incident_id,
            actor=actor,
            actions=actions,
            policy_version=policy_version,
            text=q,
            include_drills=include_drills,
        )
    except ValidationError as exc:
        raise Invalid(f"bad search filter: {exc.errors()[0]['msg']}", code="bad_filter") from exc


Filters = Annotated[SearchFilters, Depends(search_filters)]


@dataclass(frozen=True)
class SearchLog:
    """Who reads the log through the API and in which request: each read is itself logged."""

    session: Session
    who: Principal
    request_id: str | None

    def record(self, filters: SearchFilters, total: int, **logged: Any) -> None:
        record_search(
            self.session, filters, self.who.actor, total, request_id=self.request_id, **logged
        )


def search_log(session: SessionDep, who: Legal, request_id: RequestIdDep) -> SearchLog:
    return SearchLog(session, who, request_id)


LoggedRead = Annotated[SearchLog, Depends(search_log)]


def _streamed(*media_types: str) -> dict[str, Any]:
    """Route options documenting a streamed answer, which FastAPI would otherwise call JSON."""
    content: dict[str, Any] = {media_type: {} for media_type in media_types}
    return {"response_class": StreamingResponse, "responses": {200: {"content": content}}}


@router.get("/events", summary="Search the action log, newest first")
def search(
    filters: Filters,
    rt: AuditRuntimeDep,
    log: LoggedRead,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: str | None = None,
) -> Page:
    page = log_reader(rt).search(filters, size=size, cursor=cursor)
    log.record(filters, page.total)
    return page


@router.get("/aggregations", summary="Counts for transparency reports (drills excluded)")
def aggregations(filters: Filters, rt: AuditRuntimeDep, log: LoggedRead) -> Aggregations:
    """Logged like a search: counts for a post, case or actor tell what was done to them."""
    counts = log_reader(rt).aggregate(filters)
    log.record(filters, counts.total, aggregations=True)
    return counts


@router.get(
    "/export",
    summary="Stream every matching event as NDJSON or CSV, no row cap",
    **_streamed("application/x-ndjson", "text/csv"),
)
def export(
    filters: Filters,
    rt: AuditRuntimeDep,
    log: LoggedRead,
    format: ExportFormat = ExportFormat.NDJSON,
) -> StreamingResponse:
    """Logged when the stream ends or breaks off, with the manifest of what was sent."""
    return export_download(rt, filters, format, log.who.actor, log.request_id)


@router.get("/exports/{export_id}", summary="The manifest of a finished export (SHA-256, count)")
def export_manifest(
    export_id: RowId, session: SessionDep, who: Legal, request_id: RequestIdDep
) -> Manifest:
    """Logged, as the legal desk's manifest downloads are: it tells who took what out."""
    found = repository.export_manifest(session, export_id)
    if found is None:
        raise NotFound(f"no finished export {export_id}")
    manifest = Manifest.model_validate(found)
    record(
        session,
        Action.LOG_SEARCHED,
        who.actor,
        Subject(other={"export_id": manifest.export_id}),
        after={"manifest": "read"},
        request_id=request_id,
    )
    return manifest


@router.get(
    "/dsa/statements",
    summary="DSA statements of reasons, NDJSON, ≤100 per line",
    **_streamed("application/x-ndjson"),
)
def dsa_statements(filters: Filters, rt: AuditRuntimeDep, who: Legal) -> StreamingResponse:
    return StreamingResponse(
        dsa_statement_lines(rt, filters, who.actor), media_type="application/x-ndjson"
    )


@router.post("/verify", summary="Walk the hash chain and report the first break")
def run_verify(rt: AuditRuntimeDep, who: Legal) -> dict[str, Any]:
    report = verify(rt, who.actor)
    brk = report.first_break
    return {
        "ok": report.ok,
        "source": report.source,
        "checked": report.checked,
        "last_seq": report.last_seq,
        "lawfully_deleted": report.lawfully_deleted,
        "notes": report.notes,
        "first_break": None
        if brk is None
        else {
            "kind": brk.kind.value,
            "seq": brk.seq,
            "event_id": brk.event_id,
            "detail": brk.detail,
        },
    }


class AnchorIn(StrictIn):
    chain: str = Field(max_length=32)
    seq: int = Field(ge=0)
    hash: str = Field(min_length=64, max_length=64)
    issued_at: str = Field(max_length=64)
    signature: str = Field(min_length=64, max_length=64)


@router.post("/anchors", summary="A signed statement of the chain's head, to keep outside")
def issue_anchor(rt: AuditRuntimeDep, who: Legal) -> dict[str, Any]:
    return anchors.issue(rt, who.actor)


@router.post("/anchors/check", summary="Does the chain still hold what an anchor states?")
def check_anchor(body: AnchorIn, rt: AuditRuntimeDep, _: Legal) -> dict[str, Any]:
    result = anchors.check(rt, log_reader(rt), body.model_dump())
    return {"ok": result.ok, "detail": result.detail}


@router.get("/lag", summary="How far Elasticsearch trails the outbox (0 with no Elasticsearch)")
def lag(rt: AuditRuntimeDep, _: Legal) -> dict[str, Any]:
    """With the log kept in the database (no Elasticsearch configured) nothing is shipped, so
    nothing lags: `ships` is false and the counts are 0 rather than every event ever written."""
    current = outbox_lag(rt)
    if current is None:
        return {"ships": False, "unshipped": 0, "oldest_age_seconds": 0.0}
    return {
        "ships": True,
        "unshipped": current.unshipped,
        "oldest_age_seconds": current.oldest_age_seconds,
    }


class HoldIn(StrictIn):
    subject_type: HoldSubject
    subject_id: str = Field(min_length=1, max_length=128)
    reason: str = Field(min_length=1, max_length=2000)


class ReleaseIn(StrictIn):
    reason: str = Field(min_length=1, max_length=2000)


@router.get("/holds", summary="Active legal holds")
def list_holds(session: SessionDep, _: Legal) -> HoldList:
    return HoldList.model_validate({"holds": active_holds(session)}, from_attributes=True)


@router.post(
    "/holds",
    responses=refusals(404, 409),
    status_code=201,
    summary="Put a case, incident or post on legal hold",
)
def create_hold(body: HoldIn, session: SessionDep, who: Legal) -> HoldView:
    hold = set_hold(session, body.subject_type, body.subject_id, body.reason, who.actor)
    session.flush()
    return HoldView.model_validate(hold)


@router.post(
    "/holds/{hold_id}/release", responses=refusals(404, 409), summary="Release a legal hold"
)
def release(hold_id: RowId, body: ReleaseIn, session: SessionDep, who: Legal) -> HoldView:
    return HoldView.model_validate(release_hold(session, hold_id, body.reason, who.actor))
