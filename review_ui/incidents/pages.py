"""Incidents in the UI: the list (by type, grade, status), an incident's page, reporting, and
leadership's actions, over the incidents domain's own services. Each form checks the same roles
as its `/v1/incidents` route, on the server; the services check the incident's state."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.security_headers import DOCUMENT_CSP
from core.errors import DomainError, Invalid, NotFound
from core.roles import Role
from incidents import attachments, plan, report_review, response, service, tasks_board
from incidents.models import Incident
from incidents.report import build_report
from incidents.report_render import render_html, render_pdf
from incidents.report_review import current_signoff
from incidents.tasks_board import RESPONDERS
from review_ui.auth import UiRefused
from review_ui.form_fields import Document, LongNote, Note, as_typed
from review_ui.i18n import Msg
from review_ui.incidents.detail import detail_context, list_context
from review_ui.incidents.forms import reasons, report_from
from review_ui.page import ItemPage, StaffPage, UiPage
from review_ui.templating import PAGE_HEADERS, language_of

router = APIRouter(prefix="/incidents")
Grade = Annotated[str, Form(max_length=2)]
NOTICES = {
    "reported": Msg("Reported. Leadership is told and assesses it."),
    "assessed": Msg("Assessment recorded."),
    "activated": Msg("Activated: the groups have their tasks and are being told."),
    "dismissed": Msg("Dismissed; its clocks are cancelled."),
    "graded": Msg("Grade changed."),
    "milestone": Msg("Milestone recorded."),
    "attached": Msg("Material attached."),
    "closed": Msg("Closed; the lessons go to the next plan version."),
    "task": Msg("Task updated."),
    "signed_off": Msg("Report signed off: the PDF and HTML are frozen with the PDF's SHA-256."),
    "returned": Msg("Report returned with your comment."),
}


async def form_fields(request: Request) -> dict[str, str]:
    """The report form's text fields as typed; their limits are the report schema's (a field
    over one is refused with the form, never cut)."""
    form = await request.form()
    return {k: str(as_typed(v)) for k, v in form.items() if isinstance(v, str)}


@router.get("", summary="Incidents: list, filters, report form")
def list_page(
    page: StaffPage, type: str = "", grade: str = "", status: str = "", drills: str = ""
) -> Response:
    wanted = {"type": type, "grade": grade, "status": status, "drills": drills}
    return page.render("incidents/list.html", **list_context(page.session, wanted))


@router.post("", summary="Report an incident (any staff role)")
def report(page: StaffPage, form: Annotated[dict[str, str], Depends(form_fields)]) -> Response:
    try:
        made = response.report_incident(page.session, report_from(form), page.actor)
    except ValidationError as exc:
        error = Msg("Report refused: {reason}", reason=reasons(exc))
        return _list_error(page, error, 422, form)
    except DomainError as exc:
        page.session.rollback()
        return _list_error(page, exc.message, exc.status, form)
    return RedirectResponse(f"/ui/incidents/{made.id}?notice=reported", status_code=303)


def _list_error(page: UiPage, error: str, status: int, form: dict[str, str]) -> Response:
    context = list_context(page.session, {}) | {"typed": form, "error": error}
    return page.render("incidents/list.html", status, **context)


def _found(session: Session, incident_id: str) -> Incident:
    try:
        return service.get_incident(session, incident_id)
    except NotFound as exc:
        raise UiRefused(404, exc.message) from exc


class OnIncident(ItemPage):
    """An incident's page and the forms on it."""

    address = "/ui/incidents/"
    path_param = "incident_id"

    @property
    def incident(self) -> Incident:
        return service.get_incident(self.session, self.id)

    def check(self) -> None:
        _found(self.session, self.id)

    def show(self, *, error: str = "", status: int = 200) -> Response:
        context = detail_context(self.session, _found(self.session, self.id), self.page.user.role)
        notice = self.page.notice(NOTICES)
        return self.page.render(
            "incidents/detail.html", status, **context, notice=notice, error=error
        )


AnyStaff = Annotated[OnIncident, OnIncident.depends(*Role)]
Leadership = Annotated[OnIncident, OnIncident.depends(Role.LEADERSHIP)]
Overseer = Annotated[OnIncident, OnIncident.depends(Role.LEADERSHIP, Role.ADMIN)]
Responder = Annotated[OnIncident, OnIncident.depends(*RESPONDERS)]


def _grade(value: str) -> int:
    """The services refuse a grade outside 1-4 with their reason (0 stands for not a number)."""
    return int(value) if value.strip().isdigit() else 0


@router.get("/{incident_id}", summary="An incident: timeline, clocks, tasks, posts, statements")
def detail_page(it: AnyStaff) -> Response:
    return it.show()


@router.get("/{incident_id}/report", summary="The post-incident report (HTML or PDF)")
def report_page(it: Responder, format: str = "html") -> Response:
    """The same report as `/v1/incidents/{id}/report`, for the roles that route serves, in the
    reader's language (the signed-off copy `/v1` freezes stays as it was signed)."""
    _found(it.session, it.id)
    built = build_report(it.session, it.id)
    signoff = current_signoff(it.session, it.id)
    language = language_of(it.page.request, it.page.user)
    gettext = language.translations.gettext
    said = PAGE_HEADERS | {"content-language": language.html_lang}
    if format == "pdf":
        pdf = render_pdf(built, signoff=signoff, gettext=gettext)
        return Response(pdf, media_type="application/pdf", headers=said)
    page = render_html(built, signoff=signoff, gettext=gettext, lang=language.html_lang)
    # A standalone document: its own inline style and data: charts, no script (the UI's CSP
    # would strip the style).
    headers = said | {"content-security-policy": DOCUMENT_CSP}
    return Response(page, media_type="text/html; charset=utf-8", headers=headers)


@router.post("/{incident_id}/report/review", summary="Sign off or return the report (leadership)")
def review_report(
    it: Leadership,
    decision: Annotated[str, Form(max_length=16)] = "",
    comment: LongNote = "",
) -> Response:
    """`/v1/incidents/{id}/report/review` from the page; the service checks the state and that a
    return carries a comment."""

    def review() -> None:
        if decision not in {"sign_off", "return"}:
            raise Invalid("sign off the report or return it", code="bad_decision")
        approve = decision == "sign_off"
        report_review.review_report(it.session, it.id, it.actor, approve=approve, comment=comment)

    return it.act("signed_off" if decision == "sign_off" else "returned", review)


@router.post("/{incident_id}/assess", summary="Initial assessment (leadership)")
def assess(it: Leadership, grade: Grade = "", reason: Note = "") -> Response:
    return it.act(
        "assessed",
        lambda: response.assess(it.session, it.incident, _grade(grade), reason, it.actor),
    )


@router.post("/{incident_id}/activate", summary="Activate the response (leadership)")
def activate(
    it: Leadership, reason: Note = "", owner: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    owner_or_none = owner.strip() or None
    return it.act(
        "activated",
        lambda: response.activate(it.session, it.incident, it.actor, reason, owner=owner_or_none),
    )


@router.post("/{incident_id}/dismiss", summary="Dismiss a reported incident (leadership)")
def dismiss(it: Leadership, reason: Note = "") -> Response:
    return it.act("dismissed", lambda: response.dismiss(it.session, it.incident, it.actor, reason))


@router.post("/{incident_id}/grade", summary="Regrade (leadership, admin)")
def regrade(it: Overseer, grade: Grade = "", reason: Note = "") -> Response:
    return it.act(
        "graded",
        lambda: service.set_grade(it.session, it.id, _grade(grade), it.actor, reason),
    )


@router.post("/{incident_id}/milestones", summary="Record a plan step taken")
def milestone(
    it: Responder, kind: Annotated[str, Form(max_length=32)] = "", note: LongNote = ""
) -> Response:
    return it.act(
        "milestone",
        lambda: service.record_milestone(it.session, it.id, kind, it.actor, note=note),
    )


@router.post("/{incident_id}/attachments", summary="Attach a material: upload or link")
def attach(
    it: Responder,
    file: Annotated[UploadFile | None, File()] = None,
    attachment_id: Annotated[str, Form(max_length=32)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    kind: Annotated[str, Form(max_length=32)] = "other",
) -> Response:
    def attach_one() -> None:
        if attachment_id.strip():
            attachments.link(it.session, it.id, attachment_id.strip(), it.actor)
            return
        if file is None or not file.filename:
            raise Invalid("choose a file to upload or a material to link", code="no_file")
        attachments.upload(
            it.session,
            file.file.read(attachments.MAX_BYTES + 1),
            filename=file.filename,
            content_type=file.content_type or "",
            title=title,
            kind=kind,
            actor=it.actor,
            incident_id=it.id,
        )

    return it.act("attached", attach_one)


@router.post("/{incident_id}/close", summary="Close with lessons (leadership, admin)")
def close(it: Overseer, reason: Note = "", lessons: Document = "") -> Response:
    def close_with_lessons() -> None:
        for text in (line.strip() for line in lessons.splitlines()):
            if text:  # one lesson a line, each logged; the plan's next version adopts them
                plan.record_lesson(it.session, it.id, text, it.actor)
        service.close_incident(it.session, it.id, it.actor, reason)

    return it.act("closed", close_with_lessons)


@router.post("/tasks/{task_id}/{step}", summary="Start or finish a task (its group, leadership)")
def work_task(task_id: str, step: str, page: StaffPage, note: LongNote = "") -> Response:
    try:
        incident_id = tasks_board.get_task(page.session, task_id)[1].id
    except NotFound as exc:
        raise UiRefused(404, exc.message) from exc

    def work() -> None:
        if step == "start":
            tasks_board.start_task(page.session, task_id, page.actor)
        elif step == "done":
            tasks_board.finish_task(page.session, task_id, page.actor, note)
        else:
            raise Invalid("a task is started or done", code="bad_step")

    return OnIncident(page, incident_id).act("task", work)
