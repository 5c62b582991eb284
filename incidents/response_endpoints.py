"""`/v1/incidents`: reporting (any staff role), leadership's assessment and decision, owners,
tasks, response-group members. Each route checks its roles on the server; the services check
what depends on the incident (a task's group, the incident's state)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from core.principal import AnyStaff, Leadership, Overseer
from core.web_deps import SessionDep
from core.web_schemas import ReasonIn, RowId, refusals
from incidents import groups, response, service, tasks_board, views
from incidents.models import Incident, IncidentTask
from incidents.repository.response import tasks_of
from incidents.response import Report
from incidents.schemas import (
    ActivateIn,
    AssessIn,
    AssignIn,
    DoneIn,
    MemberIn,
    OwnerIn,
    ReportIn,
    TaskIn,
)

router = APIRouter(prefix="/incidents", tags=["incidents"])  # under the /v1 router
# A group is one of incidents.models.GroupKind (a `String(32)` column); a username is as long
# as accounts allow (MemberIn's).
Group = Annotated[str, Path(min_length=1, max_length=32)]
Username = Annotated[str, Path(min_length=1, max_length=64)]


def _path_incident(incident_id: RowId, session: SessionDep) -> Incident:
    return service.get_incident(session, incident_id)


# The incident named in the path (404 if none). Routes list their role first, so a caller
# without it is refused before learning whether the incident exists.
PathIncident = Annotated[Incident, Depends(_path_incident)]


@router.post("", status_code=201, summary="Report an incident (any staff role)")
def report(body: ReportIn, session: SessionDep, who: AnyStaff) -> dict[str, Any]:
    made = response.report_incident(
        session,
        Report.from_input(body, is_drill=body.drill),
        who.actor,
    )
    return views.detail(session, made)


@router.get("/response-groups", summary="Response-group channels and members")
def list_groups(session: SessionDep, _: Overseer) -> dict[str, Any]:
    return {"channels": groups.channels(session), "members": groups.members(session)}


@router.post("/response-groups/{group}/members", summary="Add a member (leadership, admin)")
def add_member(group: Group, body: MemberIn, session: SessionDep, who: Overseer) -> dict[str, Any]:
    groups.add_member(session, group, body.username, who.actor, email=body.email)
    return {"members": groups.members(session, group)}


@router.delete(
    "/response-groups/{group}/members/{username}", summary="Remove a member (leadership, admin)"
)
def remove_member(
    group: Group, username: Username, session: SessionDep, who: Overseer
) -> dict[str, Any]:
    groups.remove_member(session, group, username, who.actor)
    return {"members": groups.members(session, group)}


@router.post("/tasks/{task_id}/assign", responses=refusals(409), summary="Assign a task")
def assign(task_id: RowId, body: AssignIn, session: SessionDep, who: AnyStaff) -> dict[str, Any]:
    task = tasks_board.assign_task(session, task_id, body.username, who.actor)
    return _task_view(session, task)


@router.post("/tasks/{task_id}/start", responses=refusals(409), summary="Start a task")
def start(task_id: RowId, session: SessionDep, who: AnyStaff) -> dict[str, Any]:
    task = tasks_board.start_task(session, task_id, who.actor)
    return _task_view(session, task)


@router.post(
    "/tasks/{task_id}/done",
    responses=refusals(409),
    summary="Finish a task (records its plan step)",
)
def done(task_id: RowId, body: DoneIn, session: SessionDep, who: AnyStaff) -> dict[str, Any]:
    task = tasks_board.finish_task(session, task_id, who.actor, body.note)
    return _task_view(session, task)


def _task_view(session: SessionDep, task: IncidentTask) -> dict[str, Any]:
    """The task as the incident's task list shows it."""
    ids = [t.id for t in tasks_of(session, task.incident_id)]
    return views.tasks(session, task.incident_id)[ids.index(task.id)]


@router.post(
    "/{incident_id}/assess",
    responses=refusals(409),
    summary="Initial assessment: the grade (leadership)",
)
def assess(
    who: Leadership, incident: PathIncident, body: AssessIn, session: SessionDep
) -> dict[str, Any]:
    return views.summary(response.assess(session, incident, body.grade, body.reason, who.actor))


@router.post(
    "/{incident_id}/activate", responses=refusals(409), summary="Activate the response (leadership)"
)
def activate(
    who: Leadership, incident: PathIncident, body: ActivateIn, session: SessionDep
) -> dict[str, Any]:
    response.activate(session, incident, who.actor, body.reason, owner=body.owner)
    return views.detail(session, incident)


@router.post(
    "/{incident_id}/dismiss",
    summary="Dismiss a reported incident (leadership)",
    responses=refusals(409),
)
def dismiss(
    who: Leadership, incident: PathIncident, body: ReasonIn, session: SessionDep
) -> dict[str, Any]:
    return views.summary(response.dismiss(session, incident, who.actor, body.reason))


@router.post("/{incident_id}/owner", summary="Hand the incident to an owner (leadership)")
def owner(
    who: Leadership, incident: PathIncident, body: OwnerIn, session: SessionDep
) -> dict[str, Any]:
    return views.summary(response.set_owner(session, incident, body.username, who.actor))


@router.get("/{incident_id}/tasks", summary="The incident's tasks")
def list_tasks(_: AnyStaff, incident: PathIncident, session: SessionDep) -> dict[str, Any]:
    return {"tasks": views.tasks(session, incident.id)}


@router.post(
    "/{incident_id}/tasks",
    responses=refusals(409),
    status_code=201,
    summary="Add a task (leadership, admin)",
)
def add_task(
    who: Overseer, incident: PathIncident, body: TaskIn, session: SessionDep
) -> dict[str, Any]:
    task = tasks_board.add_task(
        session,
        incident,
        who.actor,
        group=body.group.value,
        title=body.title,
        due_in=timedelta(minutes=body.due_in_minutes) if body.due_in_minutes else None,
        assignee=body.assignee,
    )
    return _task_view(session, task)
