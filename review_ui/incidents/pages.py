"""Incidents in the UI: the list (by type, grade, status), an incident's page, reporting, and
leadership's actions, over the incidents domain's own services. Each form checks the same roles
as its `/v1/incidents` route, on the server; the services check the incident's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.security_headers import DOCUMENT_CSP
from core.errors import DomainError, Invalid, NotFound
from core.roles import Role
from core.web_deps import SessionDep
from incidents import attachments, plan, report_review, response, service, tasks_board
from incidents.models import Incident
from incidents.report import build_report
from incidents.report_render import render_html, render_pdf
from incidents.report_review import current_signoff
from incidents.tasks_board import RESPONDERS
from review_ui.auth import UiRefused, UiUser, require_ui_role
from review_ui.form_actions import run_or_refuse
from review_ui.i18n import Msg
from review_ui.incidents.detail import detail_context, list_context
from review_ui.incidents.forms import reasons, report_from
from review_ui.templating import PAGE_HEADERS, render

router = APIRouter(prefix="/incidents")
Staff = Annotated[UiUser, Depends(require_ui_role(*Role))]
Leadership = Annotated[UiUser, Depends(require_ui_role(Role.LEADERSHIP))]
Overseer = Annotated[UiUser, Depends(require_ui_role(Role.LEADERSHIP, Role.ADMIN))]
Responder = Annotated[UiUser, Depends(require_ui_role(*RESPONDERS))]
Reason = Annotated[str, Form(max_length=2000)]
NOTICES = {
    "reported": "Reported. Leadership is told and assesses it.",
    "assessed": "Assessment recorded.",
    "activated": "Activated: the groups have their tasks and are being told.",
    "dismissed": "Dismissed; its clocks are cancelled.",
    "graded": "Grade changed.",
    "milestone": "Milestone recorded.",
    "attached": "Material attached.",
    "closed": "Closed; the lessons go to the next plan version.",
    "task": "Task updated.",
    "signed_off": "Report signed off: the PDF and HTML are frozen with the PDF's SHA-256.",
    "returned": "Report returned with your comment.",
}


async def form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v[:10_000] for k, v in form.items() if isinstance(v, str)}


@router.get("", summary="Incidents: list, filters, report form")
def list_page(
    request: Request,
    session: SessionDep,
    user: Staff,
    type: str = "",
    grade: str = "",
    status: str = "",
    drills: str = "",
) -> Response:
    wanted = {"type": type, "grade": grade, "status": status, "drills": drills}
    return render(request, "incidents/list.html", user, **list_context(session, wanted))


@router.post("", summary="Report an incident (any staff role)")
def report(
    request: Request,
    session: SessionDep,
    user: Staff,
    form: Annotated[dict[str, str], Depends(form_fields)],
) -> Response:
    try:
        made = response.report_incident(session, report_from(form), user.actor)
    except ValidationError as exc:
        error = Msg("Report refused: {reason}", reason=reasons(exc))
        return _list_error(request, session, user, error, 422, form)
    except DomainError as exc:
        session.rollback()
        return _list_error(request, session, user, exc.message, exc.status, form)
    return RedirectResponse(f"/ui/incidents/{made.id}?notice=reported", status_code=303)


def _list_error(
    request: Request, session: Session, user: UiUser, error: str, status: int, form: dict[str, str]
) -> Response:
    context = list_context(session, {}) | {"typed": form, "error": error}
    return render(request, "incidents/list.html", user, status, **context)


@router.get("/{incident_id}", summary="An incident: timeline, clocks, tasks, posts, statements")
def detail_page(request: Request, incident_id: str, session: SessionDep, user: Staff) -> Response:
    return _detail(request, session, user, incident_id)


def _detail(
    request: Request,
    session: Session,
    user: UiUser,
    incident_id: str,
    error: str = "",
    status: int = 200,
) -> Response:
    context = detail_context(session, _found(session, incident_id), user.role)
    notice = NOTICES.get(request.query_params.get("notice", ""), "")
    return render(
        request, "incidents/detail.html", user, status, **context, notice=notice, error=error
    )


def _act(
    request: Request,
    session: Session,
    user: UiUser,
    incident_id: str,
    notice: str,
    action: Callable[[], Any],
) -> Response:
    """Run a service call; a refusal re-renders the page with its reason and status."""
    _found(session, incident_id)
    return run_or_refuse(
        session,
        action,
        done=f"/ui/incidents/{incident_id}?notice={notice}",
        refused=lambda error, status: _detail(request, session, user, incident_id, error, status),
    )


def _incident(session: Session, incident_id: str) -> Incident:
    return service.get_incident(session, incident_id)


def _grade(value: str) -> int:
    """The services refuse a grade outside 1-4 with their reason (0 stands for not a number)."""
    return int(value) if value.strip().isdigit() else 0


def _found(session: Session, incident_id: str) -> Incident:
    try:
        return service.get_incident(session, incident_id)
    except NotFound as exc:
        raise UiRefused(404, exc.message) from exc


@router.get("/{incident_id}/report", summary="The post-incident report (HTML or PDF)")
def report_page(
    incident_id: str, session: SessionDep, _: Responder, format: str = "html"
) -> Response:
    """The same report as `/v1/incidents/{id}/report`, for the roles that route serves."""
    _found(session, incident_id)
    built = build_report(session, incident_id)
    signoff = current_signoff(session, incident_id)
    if format == "pdf":
        pdf = render_pdf(built, signoff=signoff)
        return Response(pdf, media_type="application/pdf", headers=PAGE_HEADERS)
    page = render_html(built, signoff=signoff)
    # A standalone document: its own inline style and data: charts, no script (the UI's CSP
    # would strip the style).
    headers = PAGE_HEADERS | {"content-security-policy": DOCUMENT_CSP}
    return Response(page, media_type="text/html; charset=utf-8", headers=headers)


@router.post("/{incident_id}/report/review", summary="Sign off or return the report (leadership)")
def review_report(
    request: Request,
    incident_id: str,
    session: SessionDep,
    user: Leadership,
    decision: Annotated[str, Form(max_length=16)] = "",
    comment: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """`/v1/incidents/{id}/report/review` from the page; the service checks the state and that a
    return carries a comment."""

    def review() -> None:
        if decision not in {"sign_off", "return"}:
            raise Invalid("sign off the report or return it", code="bad_decision")
        approve = decision == "sign_off"
        report_review.review_report(
            session, incident_id, user.actor, approve=approve, comment=comment
        )

    notice = "signed_off" if decision == "sign_off" else "returned"
    return _act(request, session, user, incident_id, notice, review)


@router.post("/{incident_id}/assess", summary="Initial assessment (leadership)")
def assess(
    request: Request,
    incident_id: str,
    session: SessionDep,
    user: Leadership,
    grade: Annotated[str, Form(max_length=2)] = "",
    reason: Reason = "",
) -> Response:
    return _act(
        request,
        session,
        user,
        incident_id,
        "assessed",
        lambda: response.assess(
            session, _incident(session, incident_id), _grade(grade), reason, user.actor
        ),
    )


@router.post("/{incident_id}/activate", summary="Activate the response (leadership)")
def activate(
    request: Request,
    incident_id: str,
    session: SessionDep,
    user: Leadership,
    reason: Reason = "",
    owner: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    return _act(
        request,
        session,
        user,
        incident_id,
        "activated",
        lambda: response.activate(
            session,
            _incident(session, incident_id),
            user.actor,
            reason,
            owner=owner.strip() or None,
        ),
    )


@router.post("/{incident_id}/dismiss", summary="Dismiss a reported incident (leadership)")
def dismiss(
    request: Request, incident_id: str, session: SessionDep, user: Leadership, reason: Reason = ""
) -> Response:
    return _act(
        request,
        session,
        user,
        incident_id,
        "dismissed",
        lambda: response.dismiss(session, _incident(session, incident_id), user.actor, reason),
    )


@router.post("/{incident_id}/grade", summary="Regrade (leadership, admin)")
def regrade(
    request: Request,
    incident_id: str,
    session: SessionDep,
    user: Overseer,
    grade: Annotated[str, Form(max_length=2)] = "",
    reason: Reason = "",
) -> Response:
    return _act(
        request,
        session,
        user,
        incident_id,
        "graded",
        lambda: service.set_grade(session, incident_id, _grade(grade), user.actor, reason),
    )


@router.post("/{incident_id}/milestones", summary="Record a plan step taken")
def milestone(
    request: Request,
    incident_id: str,
    session: SessionDep,
    user: Responder,
    kind: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    return _act(
        request,
        session,
        user,
        incident_id,
        "milestone",
        lambda: service.record_milestone(session, incident_id, kind, user.actor, note=note),
    )


@router.post("/{incident_id}/attachments", summary="Attach a material: upload or link")
def attach(
    request: Request,
    incident_id: str,
    session: SessionDep,
    user: Responder,
    file: Annotated[UploadFile | None, File()] = None,
    attachment_id: Annotated[str, Form(max_length=32)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    kind: Annotated[str, Form(max_length=32)] = "other",
) -> Response:
    def attach_one() -> None:
        if attachment_id.strip():
            attachments.link(session, incident_id, attachment_id.strip(), user.actor)
            return
        if file is None or not file.filename:
            raise Invalid("choose a file to upload or a material to link", code="no_file")
        attachments.upload(
            session,
            file.file.read(attachments.MAX_BYTES + 1),
            filename=file.filename,
            content_type=file.content_type or "",
            title=title,
            kind=kind,
            actor=user.actor,
            incident_id=incident_id,
        )

    return _act(request, session, user, incident_id, "attached", attach_one)


@router.post("/{incident_id}/close", summary="Close with lessons (leadership, admin)")
def close(
    request: Request,
    incident_id: str,
    session: SessionDep,
    user: Overseer,
    reason: Reason = "",
    lessons: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    def close_with_lessons() -> None:
        for text in (line.strip() for line in lessons.splitlines()):
            if text:  # one lesson a line, each logged; the plan's next version adopts them
                plan.record_lesson(session, incident_id, text, user.actor)
        service.close_incident(session, incident_id, user.actor, reason)

    return _act(request, session, user, incident_id, "closed", close_with_lessons)


@router.post("/tasks/{task_id}/{step}", summary="Start or finish a task (its group, leadership)")
def work_task(
    request: Request,
    task_id: str,
    step: str,
    session: SessionDep,
    user: Staff,
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    try:
        incident_id = tasks_board.get_task(session, task_id)[1].id
    except NotFound as exc:
        raise UiRefused(404, exc.message) from exc

    def work() -> None:
        if step == "start":
            tasks_board.start_task(session, task_id, user.actor)
        elif step == "done":
            tasks_board.finish_task(session, task_id, user.actor, note)
        else:
            raise Invalid("a task is started or done", code="bad_step")

    return _act(request, session, user, incident_id, "task", work)
