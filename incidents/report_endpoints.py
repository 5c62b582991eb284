"""Routes for the post-incident report's review and export, plan materials (attachments), the
plan's history and its thresholds (the incident policy store)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field

from audit.db_search import DatabaseSearch
from core.errors import NotFound
from core.principal import Leadership, Principal, require_role
from core.roles import Role
from core.web_deps import RequestIdDep, RuntimeDep, SessionDep
from core.web_schemas import RowId, StrictIn, refusals
from incidents import attachments, plan, policy_store, report_review
from incidents.report_export import build_bundle
from incidents.repository import materials, plans
from incidents.tasks_board import RESPONDERS

router = APIRouter(prefix="/v1", tags=["incidents: report and plan materials"])
STAFF = (Role.REVIEWER, *RESPONDERS)
Reader = Annotated[Principal, Depends(require_role(*STAFF))]
Responder = Annotated[Principal, Depends(require_role(*RESPONDERS))]
Exporter = Annotated[Principal, Depends(require_role(Role.LEGAL, Role.ADMIN, Role.LEADERSHIP))]
PlanOwner = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.LEADERSHIP))]
ReportFormat = Annotated[str, Query(pattern="^(html|pdf)$")]


def report_response(body: bytes | str, headers: dict[str, str] | None = None) -> Response:
    """The post-incident report as rendered: PDF bytes or HTML text."""
    media_type = "application/pdf" if isinstance(body, bytes) else "text/html; charset=utf-8"
    return Response(body, media_type=media_type, headers=headers)


class ReviewIn(StrictIn):
    decision: Literal["sign_off", "return"]
    comment: str = Field(default="", max_length=5000)


class LinkIn(StrictIn):
    attachment_id: str = Field(min_length=1, max_length=32)


@router.get("/incidents/{incident_id}/report/review", summary="The report's review state")
def review_state(incident_id: RowId, session: SessionDep, _: Responder) -> dict[str, object]:
    return report_review.review_json(materials.latest_review(session, incident_id))


@router.post(
    "/incidents/{incident_id}/report/review",
    responses=refusals(409),
    summary="Sign off the post-incident report, or return it with a comment (leadership)",
)
def review(
    incident_id: RowId, body: ReviewIn, session: SessionDep, who: Leadership
) -> dict[str, object]:
    made = report_review.review_report(
        session, incident_id, who.actor, approve=body.decision == "sign_off", comment=body.comment
    )
    return report_review.review_json(made)


@router.get("/incidents/{incident_id}/report/signed", summary="The report as signed off")
def signed_report(
    incident_id: RowId,
    session: SessionDep,
    _: Responder,
    format: ReportFormat = "pdf",
) -> Response:
    made = materials.latest_review(session, incident_id)
    if made is None or made.decision != report_review.SIGNED_OFF or not made.pdf:
        raise NotFound(f"the report of incident {incident_id} is not signed off")
    body = made.pdf if format == "pdf" else made.html or ""
    return report_response(body, headers={"x-report-sha256": made.pdf_sha256 or ""})


@router.get(
    "/incidents/{incident_id}/export",
    summary="The incident's legal bundle: action log, signed report, attachments (ZIP)",
)
def export_bundle(
    incident_id: RowId, rt: RuntimeDep, who: Exporter, request_id: RequestIdDep
) -> Response:
    # Read from the database, the system of record: an event not yet shipped to Elasticsearch
    # (the sign-off a minute ago) is in the bundle too.
    store = DatabaseSearch(rt.sessions)
    bundle, manifest = build_bundle(rt.sessions, store, incident_id, who.actor, request_id)
    export_id = (manifest.get("log_export") or {}).get("export_id", "")
    return Response(
        bundle,
        media_type="application/zip",
        headers={
            "content-disposition": f'attachment; filename="incident-{incident_id}.zip"',
            "x-export-id": str(export_id),
        },
    )


@router.post(
    "/attachments",
    summary="Upload a plan material (raw body; the Content-Type header is its type)",
    status_code=201,
)
async def upload_attachment(
    request: Request,
    session: SessionDep,
    who: Responder,
    filename: Annotated[str, Query(min_length=1, max_length=255)],
    kind: Annotated[str, Query(max_length=32)] = "other",
    title: Annotated[str, Query(max_length=300)] = "",
    incident_id: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, object]:
    data = await request.body()
    made = attachments.upload(
        session,
        data,
        filename=filename,
        content_type=request.headers.get("content-type", ""),
        title=title,
        kind=kind,
        actor=who.actor,
        incident_id=incident_id,
    )
    return attachments.describe(made)


@router.get("/attachments", summary="Plan materials, newest first")
def list_attachments(session: SessionDep, _: Reader) -> dict[str, object]:
    return {"attachments": [attachments.describe(a) for a in materials.listed(session)]}


@router.get("/attachments/{attachment_id}", summary="Download a plan material")
def download_attachment(attachment_id: RowId, session: SessionDep, _: Reader) -> Response:
    found = attachments.get_attachment(session, attachment_id)
    return Response(
        found.data,
        media_type=found.content_type,
        headers={
            "content-disposition": f'attachment; filename="{found.filename}"',
            "x-content-sha256": found.sha256,
        },
    )


@router.post("/incidents/{incident_id}/attachments", summary="Link a plan material")
def link_attachment(
    incident_id: RowId, body: LinkIn, session: SessionDep, who: Responder
) -> dict[str, object]:
    attachments.link(session, incident_id, body.attachment_id, who.actor)
    return {
        "attachments": [attachments.describe(a) for a in materials.linked(session, incident_id)]
    }


@router.get("/incidents/{incident_id}/attachments", summary="Materials linked to an incident")
def incident_attachments(incident_id: RowId, session: SessionDep, _: Reader) -> dict[str, object]:
    return {
        "attachments": [attachments.describe(a) for a in materials.linked(session, incident_id)]
    }


@router.get("/response-plan/history", summary="Every version of the response plan")
def plan_history(session: SessionDep, _: Reader) -> dict[str, object]:
    return {
        "versions": [
            {
                "version": p.version,
                "change_note": p.change_note,
                "author": p.author,
                "created_at": p.created_at.isoformat(),
            }
            for p in plans.plan_history(session)
        ]
    }


@router.get("/response-plan/document", summary="The plan in force with its thresholds and clocks")
def plan_document(session: SessionDep, _: Reader) -> dict[str, object]:
    current = plans.current_plan(session)
    policy = policy_store.active_incident_policy(session)
    return {
        "version": current.version if current else 0,
        "policy_version": policy.version,
        "document": plan.plan_document(session),
    }


@router.get("/incident-policy", summary="The incident thresholds and clocks in force")
def incident_policy(session: SessionDep, _: Reader) -> dict[str, Any]:
    policy = policy_store.active_incident_policy(session)
    return {
        "version": policy.version,
        "policy": policy_store.body_of(policy).model_dump(mode="json"),
        "history": [
            {
                "version": f"incident-v{row.version}",
                "author": row.author,
                "note": row.note,
                "created_at": row.created_at.isoformat(),
            }
            for row in plans.policy_history(session)
        ],
    }


@router.patch(
    "/response-plan/thresholds",
    summary="Change the plan's thresholds or clocks: a new incident policy and plan version",
)
def change_thresholds(
    body: policy_store.IncidentPolicyPatch, session: SessionDep, who: PlanOwner
) -> dict[str, Any]:
    policy, made = plan.change_thresholds(session, body, who.actor)
    return {
        "policy_version": policy.version,
        "policy": policy_store.body_of(policy).model_dump(mode="json"),
        "plan_version": made.version,
    }
