"""`/v1/incidents`: read by every staff role; leadership and admins regrade, close and record
lessons; admins plan and add response-group channels (reporting, activation and tasks:
`response_endpoints`). The drill's own API is `api/drills.py`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from core.outbound import policy_from
from core.principal import Admin, AnyStaff, Overseer
from core.web_deps import SessionDep
from core.web_schemas import ReasonIn, RowId, refusals
from incidents import groups, plan, service, views
from incidents.models import IncidentStatus
from incidents.report import build_report
from incidents.report_endpoints import ReportFormat, Responder, report_response
from incidents.report_render import render_html, render_pdf
from incidents.report_review import current_signoff
from incidents.repository import plans
from incidents.repository.incidents import incidents_newest_first
from incidents.response_endpoints import router as response_router
from incidents.schemas import GradeIn, LessonIn, MilestoneIn, PlanIn, ResponseGroupIn
from incidents.types import IncidentType
from pipeline.process import PipelineRuntimeDep

router = APIRouter(prefix="/v1", tags=["incidents"])
# First, so its fixed paths (/incidents/response-groups, /incidents/tasks/…) win over {id}.
router.include_router(response_router)


@router.get("/incidents", summary="Incidents, newest first")
def list_incidents(
    session: SessionDep,
    _: AnyStaff,
    status: IncidentStatus | None = None,
    type: IncidentType | None = None,
    grade: Annotated[int | None, Query(ge=1, le=4)] = None,
    include_drills: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    found = incidents_newest_first(
        session,
        limit=limit,
        type=None if type is None else type.value,
        grade=grade or None,
        status=None if status is None else status.value,
        include_drills=include_drills,
    )
    return {"incidents": [views.summary(i) for i in found]}


@router.get("/incidents/{incident_id}", summary="An incident: counts, clocks, posts, timeline")
def get_incident(incident_id: RowId, session: SessionDep, _: AnyStaff) -> dict[str, Any]:
    return views.detail(session, service.get_incident(session, incident_id))


@router.post(
    "/incidents/{incident_id}/grade",
    responses=refusals(409),
    summary="Regrade (sticks; leadership, admin)",
)
def regrade(
    incident_id: RowId, body: GradeIn, session: SessionDep, who: Overseer
) -> dict[str, Any]:
    incident = service.set_grade(session, incident_id, body.grade, who.actor, body.reason)
    return views.summary(incident)


@router.post(
    "/incidents/{incident_id}/close",
    responses=refusals(409),
    summary="Close an incident (leadership, admin)",
)
def close(incident_id: RowId, body: ReasonIn, session: SessionDep, who: Overseer) -> dict[str, Any]:
    return views.summary(service.close_incident(session, incident_id, who.actor, body.reason))


@router.post(
    "/incidents/{incident_id}/milestones",
    responses=refusals(409),
    summary="Record a plan step taken",
)
def milestone(
    incident_id: RowId, body: MilestoneIn, session: SessionDep, who: Responder
) -> dict[str, Any]:
    made = service.record_milestone(session, incident_id, body.kind, who.actor, note=body.note)
    return {"incident_id": incident_id, "kind": made.kind, "at": made.at.isoformat()}


# The same roles as closing with lessons in the UI (`review_ui/incidents/pages.py`).
@router.post("/incidents/{incident_id}/lessons", summary="Record a lesson (leadership, admin)")
def lesson(
    incident_id: RowId, body: LessonIn, session: SessionDep, who: Overseer
) -> dict[str, Any]:
    made = plan.record_lesson(session, incident_id, body.text, who.actor)
    return {"id": made.id, "incident_id": incident_id, "text": made.text}


@router.get("/incidents/{incident_id}/report", summary="Post-incident report (HTML or PDF)")
def report(
    incident_id: RowId,
    session: SessionDep,
    _: Responder,
    format: ReportFormat = "html",
) -> Response:
    built = build_report(session, incident_id)
    signoff = current_signoff(session, incident_id)  # printed once leadership signed it off
    render = render_pdf if format == "pdf" else render_html
    return report_response(render(built, signoff=signoff))


@router.get("/response-plan", summary="The response plan in force")
def get_plan(session: SessionDep, _: AnyStaff) -> dict[str, Any]:
    current = plans.current_plan(session)
    pending = plans.pending_lessons(session)
    return {
        "version": current.version if current else 0,
        "body": current.body if current else plan.INITIAL_PLAN,
        "document": plan.plan_document(session),  # with the thresholds and clocks in force
        "pending_lessons": [{"id": x.id, "text": x.text} for x in pending],
    }


@router.post("/response-plan", summary="Publish a new plan version adopting lessons (admin)")
def publish_plan(body: PlanIn, session: SessionDep, admin: Admin) -> dict[str, Any]:
    made = plan.publish_plan(session, body.body, body.change_note, admin.actor)
    return {"version": made.version, "body": made.body}


@router.post("/incidents/response-groups", summary="Add a response-group channel (admin)")
def add_group(
    body: ResponseGroupIn, session: SessionDep, admin: Admin, rt: PipelineRuntimeDep
) -> dict[str, Any]:
    group = groups.add_channel(  # a URL is refused with the reason: loopback, private, ...
        session,
        admin.actor,
        policy_from(rt.settings),
        group=body.role,
        channel=body.channel,
        url=body.url,
        secret=body.secret,
        min_grade=body.min_grade,
    )
    return {
        "id": group.id,
        "role": group.role,
        "channel": group.channel,
        "min_grade": group.min_grade,
    }
