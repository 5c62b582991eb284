"""Incident tasks: given by the type's plan when an incident is activated (or regraded), added
by leadership, assigned, started and done, each step in the incident's timeline.

Who may work a task: its assignee, anyone whose role is the task's group, a member of the
group, leadership and admins. Finishing a task that stands for a plan step (containment, the
public statement, …) records that milestone, which stops its clocks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accounts.models import User
from accounts.repository import user_named
from audit.events import Action
from core.actors import Actor
from core.clock import utcnow
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.messages import Msg
from core.roles import Role
from incidents.events import record_event
from incidents.groups import require_group_kind
from incidents.models import (
    FINISHED,
    Incident,
    IncidentTask,
    TaskStatus,
)
from incidents.repository.groups import is_member
from incidents.repository.incidents import incident_by_id
from incidents.repository.response import tasks_of
from incidents.types import profile

OVERSEERS = {Role.LEADERSHIP.value, Role.ADMIN.value}
# Who records milestones and attaches materials (the API's and the incident page's Responder).
RESPONDERS = (
    Role.SENIOR_REVIEWER,
    Role.PR,
    Role.LEGAL,
    Role.ADMIN,
    Role.LEADERSHIP,
    Role.TECHNICAL_RESPONSE,
)
LIVE = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


def plan_tasks(
    session: Session, incident: Incident, actor: Actor, now: datetime
) -> list[IncidentTask]:
    """The tasks the type's plan gives at the incident's grade, each kind once."""
    have = {t.kind for t in tasks_of(session, incident.id)}
    made = []
    for rule in profile(incident.type).tasks_for(incident.grade):
        if rule.kind in have:
            continue
        made.append(
            _create(
                session,
                incident,
                actor,
                group=rule.group,
                kind=rule.kind,
                title=rule.title,
                due_at=now + rule.within,
                milestone=rule.milestone,
                at=now,
            )
        )
    return made


def add_task(
    session: Session,
    incident: Incident,
    actor: Actor,
    *,
    group: str,
    title: str,
    due_in: timedelta | None = None,
    assignee: str | None = None,
) -> IncidentTask:
    """A task leadership adds by hand (any group, optional deadline and assignee)."""
    require_live(incident)
    require_group_kind(group)
    if not title.strip():
        raise Invalid(Msg("a task needs a title"))
    now = utcnow()
    task = _create(
        session,
        incident,
        actor,
        group=group,
        kind=f"manual-{len(tasks_of(session, incident.id)) + 1}",
        title=title.strip(),
        due_at=now + due_in if due_in else None,
        milestone=None,
        at=now,
    )
    if assignee:
        assign_task(session, task.id, assignee, actor)
    return task


def _create(
    session: Session,
    incident: Incident,
    actor: Actor,
    *,
    group: str,
    kind: str,
    title: str,
    due_at: datetime | None,
    milestone: str | None,
    at: datetime,
) -> IncidentTask:
    task = IncidentTask(
        incident_id=incident.id,
        group=group,
        kind=kind,
        title=title,
        status=TaskStatus.OPEN,
        due_at=due_at,
        milestone=milestone,
        created_by=actor.name,
        created_at=at,
    )
    session.add(task)
    session.flush()
    _log(session, Action.INCIDENT_TASK_CREATED, incident, task, actor, at=at)
    return task


def get_task(session: Session, task_id: str) -> tuple[IncidentTask, Incident]:
    task = session.get(IncidentTask, task_id)
    incident = incident_by_id(session, task.incident_id) if task else None
    if task is None or incident is None:
        raise NotFound(Msg("task {task_id} does not exist", task_id=task_id))
    return task, incident


def assign_task(session: Session, task_id: str, username: str, actor: Actor) -> IncidentTask:
    task, incident = get_task(session, task_id)
    require_live(incident)
    _require_may_work(session, task, actor)
    if task.status not in LIVE:
        raise Conflict(Msg("task is {status}", status=task.status), code="task_finished")
    user = require_active_user(session, username)
    before = task.assignee
    task.assignee = user.username
    _log(session, Action.INCIDENT_TASK_ASSIGNED, incident, task, actor, before=before)
    return task


def start_task(session: Session, task_id: str, actor: Actor) -> IncidentTask:
    task, incident = get_task(session, task_id)
    require_live(incident)
    _require_may_work(session, task, actor)
    if task.status != TaskStatus.OPEN:
        raise Conflict(
            Msg("only an open task can be started; this one is {status}", status=task.status),
            code="task_not_open",
        )
    task.status = TaskStatus.IN_PROGRESS
    task.started_at = utcnow()
    task.assignee = task.assignee or actor.name
    _log(session, Action.INCIDENT_TASK_STARTED, incident, task, actor)
    return task


def finish_task(session: Session, task_id: str, actor: Actor, note: str = "") -> IncidentTask:
    task, incident = get_task(session, task_id)
    require_live(incident)
    _require_may_work(session, task, actor)
    if task.status not in LIVE:
        raise Conflict(Msg("task is already {status}", status=task.status), code="task_finished")
    _done(session, incident, task, actor, note, utcnow())
    if task.milestone:
        from incidents.service import record_milestone  # the service builds on tasks

        record_milestone(session, incident.id, task.milestone, actor, note=note or task.title)
    return task


def complete_for_milestone(
    session: Session, incident: Incident, milestone: str, actor: Actor, at: datetime
) -> None:
    """A plan step taken another way (a statement published, …) finishes its live tasks."""
    for task in tasks_of(session, incident.id):
        if task.milestone == milestone and task.status in LIVE:
            _done(session, incident, task, actor, f"milestone {milestone}", at)


def _done(
    session: Session,
    incident: Incident,
    task: IncidentTask,
    actor: Actor,
    note: str,
    at: datetime,
) -> None:
    task.status = TaskStatus.DONE
    task.done_at = at
    task.note = note
    late = task.due_at is not None and at > task.due_at
    _log(session, Action.INCIDENT_TASK_DONE, incident, task, actor, at=at, late=late)


def require_live(incident: Incident) -> None:
    """Refuse a change to a closed or dismissed incident (409 `incident_closed`)."""
    if incident.status in FINISHED:
        raise Conflict(
            Msg(
                "incident {incident_id} is {status}",
                incident_id=incident.id,
                status=incident.status,
            ),
            code="incident_closed",
        )


def require_active_user(session: Session, username: str) -> User:
    user = user_named(session, username)
    if user is None or not user.active:
        raise Invalid(Msg("no active user '{username}'", username=username), code="unknown_user")
    return user


def may_work(session: Session, task: IncidentTask, actor: Actor) -> bool:
    if OVERSEERS.intersection(actor.roles) or task.group in actor.roles:
        return True
    if task.assignee == actor.name:
        return True
    return is_member(session, task.group, actor.name)


def _require_may_work(session: Session, task: IncidentTask, actor: Actor) -> None:
    if not may_work(session, task, actor):
        raise Forbidden(
            Msg(
                "this task belongs to the {group} group; its members, its assignee, leadership and admins work it",
                group=task.group,
            ),
            code="not_your_task",
        )


def _log(
    session: Session,
    action: Action,
    incident: Incident,
    task: IncidentTask,
    actor: Actor,
    *,
    at: datetime | None = None,
    before: str | None = None,
    late: bool | None = None,
) -> None:
    after: dict[str, object] = {
        "task_id": task.id,
        "group": task.group,
        "title": task.title,
        "status": task.status,
        "assignee": task.assignee,
        "due_at": task.due_at.isoformat() if task.due_at else None,
    }
    if late is not None:
        after["late"] = late
    record_event(
        session,
        action,
        actor,
        incident,
        other={"task_id": task.id},
        reason=task.note or None,
        before={"assignee": before} if action == Action.INCIDENT_TASK_ASSIGNED else None,
        after=after,
        at=at,
    )
