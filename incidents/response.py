"""People in the loop: anyone on staff reports an incident; leadership assesses it (a grade)
and decides to activate or dismiss it, with a reason, logged. Activation gives the groups their
tasks and tells them. Below the type's activation grade an incident activates itself.

Plain functions over a session, ids and an actor, for the API and the review UI alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from audit.events import Action
from core.actors import Actor
from core.clock import utcnow
from core.errors import Conflict, DomainError, Invalid
from core.messages import Msg
from incidents import notices
from incidents.clocks import ASSESSMENT, cancel_clocks, start_assessment_clock, start_clocks
from incidents.events import record_event
from incidents.models import FINISHED, Incident, IncidentStatus
from incidents.policy_store import active_incident_policy  # the plan's clocks, as printed
from incidents.repository.incidents import has_milestone
from incidents.severity import GRADE_NAMES, IncidentPolicy
from incidents.system_notes import SELF_ACTIVATED, SYSTEM
from incidents.tasks_board import plan_tasks, require_active_user, require_live
from incidents.types import GroupKind, IncidentType, Scope, profile

if TYPE_CHECKING:
    from incidents.schemas import ReportIn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    """What a person reports: the type, what happened, when, where, and how far it reaches."""

    type: IncidentType
    title: str
    what: str
    when: datetime | None = None
    where: str = ""
    scope: Scope = field(default_factory=Scope)
    is_drill: bool = False

    @classmethod
    def from_input(cls, body: ReportIn, *, is_drill: bool) -> Report:
        return cls(
            type=body.type,
            title=body.title,
            what=body.what,
            when=body.when,
            where=body.where,
            scope=body.scope.to_scope(),
            is_drill=is_drill,
        )


def report_incident(
    session: Session, report: Report, actor: Actor, *, policy: IncidentPolicy | None = None
) -> Incident:
    """File a reported incident, graded by its type's rules; leadership decides from here
    (or, below the type's activation grade, it activates itself)."""
    if not report.title.strip() or not report.what.strip():
        raise Invalid(Msg("a report needs a title and what happened"))
    now = utcnow()
    policy = policy or active_incident_policy(session)
    kind = profile(report.type)
    description = f"{report.title} {report.what}"
    grade = kind.grade(report.scope, description, policy)
    incident = Incident(
        key="report:pending",
        title=" ".join(report.title.split())[:300],
        type=report.type.value,
        status=IncidentStatus.REPORTED,
        grade=grade,
        description=report.what,
        occurred_at=report.when,
        location=report.where,
        scope=report.scope.as_dict(),
        regions=sorted(set(report.scope.regions)),
        reach=report.scope.reach,
        reported_by=actor.name,
        is_drill=report.is_drill,
        first_seen_at=report.when or now,
        opened_at=now,
    )
    session.add(incident)
    session.flush()
    incident.key = f"report:{incident.id}"
    record_event(
        session,
        Action.INCIDENT_REPORTED,
        actor,
        incident,
        other={"type": incident.type},
        after={
            "type": incident.type,
            "title": incident.title,
            "grade": grade,
            "points": kind.points(report.scope, description, policy),
            "scope": report.scope.as_dict(),
            "where": report.where,
            "when": report.when.isoformat() if report.when else None,
        },
        at=now,
    )
    after_grading(session, incident, policy, now)
    return incident


def after_grading(
    session: Session, incident: Incident, policy: IncidentPolicy, now: datetime
) -> None:
    """A new incident: start its clocks, then either wait for leadership or activate itself."""
    start_clocks(session, incident, policy, now)
    if profile(incident.type).needs_activation(incident.grade):
        await_leadership(session, incident, "incident.reported", now)
    else:
        activate(
            session,
            incident,
            SYSTEM,
            Msg(SELF_ACTIVATED.template, grade=GRADE_NAMES[incident.grade]),
            now=now,
        )


def await_leadership(session: Session, incident: Incident, event: str, now: datetime) -> None:
    incident.status = IncidentStatus.REPORTED
    start_assessment_clock(session, incident, now)
    notices.queue(session, incident, event, groups=[GroupKind.LEADERSHIP], any_grade=True)


def lock_grade(
    session: Session,
    incident: Incident,
    grade: int,
    actor: Actor,
    reason: str,
    event: Action,
    noted: dict[str, object],
) -> int:
    """A person's grade (assessment or regrade): it sticks, automatic re-grading no longer
    changes it. Logged as `event`; returns the grade before."""
    if grade not in (1, 2, 3, 4):
        raise Invalid(Msg("grade must be 1 (I), 2 (II), 3 (III) or 4 (IV)"))
    require_live(incident)
    before = incident.grade
    incident.grade = grade
    incident.grade_locked = True
    record_event(
        session,
        event,
        actor,
        incident,
        reason=reason,
        before={"grade": before},
        after={"grade": grade, **noted},
    )
    return before


def assess(session: Session, incident: Incident, grade: int, reason: str, actor: Actor) -> Incident:
    """Leadership's initial assessment: the grade it sets sticks (detection no longer lowers
    or raises it); it meets the assessment clock."""
    _require_reason(reason, "an assessment")
    before = lock_grade(
        session,
        incident,
        grade,
        actor,
        reason,
        Action.INCIDENT_ASSESSED,
        {"grade_name": GRADE_NAMES.get(grade)},
    )
    _meet_assessment(session, incident, actor, reason)
    if incident.status != IncidentStatus.REPORTED and grade < before:
        raised(session, incident, actor, utcnow())
    return incident


def activate(
    session: Session,
    incident: Incident,
    actor: Actor,
    reason: str,
    *,
    owner: str | None = None,
    now: datetime | None = None,
) -> Incident:
    """Start the response: the groups get their tasks and are told."""
    _require_decidable(incident, reason, IncidentStatus.ACTIVE)
    now = now or utcnow()
    if owner:
        require_active_user(session, owner)
    incident.owner = owner or incident.owner or (None if actor.type == "system" else actor.name)
    _decide(session, incident, actor, reason, now, IncidentStatus.ACTIVE, owner=incident.owner)
    if actor != SYSTEM:
        _meet_assessment(session, incident, actor, reason, at=now)
    start_clocks(session, incident, active_incident_policy(session), now)
    tasks = plan_tasks(session, incident, actor, now)
    event = "incident.opened" if actor == SYSTEM else "incident.activated"
    notices.queue(session, incident, event, tasks=tasks)
    _open_statement_draft(session, incident, actor)
    return incident


def _open_statement_draft(session: Session, incident: Incident, actor: Actor) -> None:
    """PR gets the draft the type answers with (outage notice, breach notice, ...) to edit.

    A draft that cannot be made (e.g. no template for the type) never blocks activation."""
    from statements.drafts import open_draft_for_incident

    try:
        with session.begin_nested():
            open_draft_for_incident(session, incident, actor)
    except DomainError as exc:
        log.warning("no statement draft for incident %s: %s", incident.id, exc)


def dismiss(session: Session, incident: Incident, actor: Actor, reason: str) -> Incident:
    """Not an incident under the plan: its clocks are cancelled; logged with the reason."""
    _require_decidable(incident, reason, IncidentStatus.DISMISSED)
    now = utcnow()
    _meet_assessment(session, incident, actor, reason, at=now)
    _decide(session, incident, actor, reason, now, IncidentStatus.DISMISSED)
    cancel_clocks(session, incident, now)
    return incident


def set_owner(session: Session, incident: Incident, username: str, actor: Actor) -> Incident:
    require_active_user(session, username)
    before = incident.owner
    incident.owner = username
    record_event(
        session,
        Action.INCIDENT_OWNER_CHANGED,
        actor,
        incident,
        before={"owner": before},
        after={"owner": username},
    )
    return incident


def raised(session: Session, incident: Incident, actor: Actor, now: datetime) -> None:
    """The grade got worse: the clocks it calls for start; an active incident gets the grade's
    new tasks and every group is told; one awaiting a decision tells leadership again."""
    if incident.status in FINISHED:
        return  # dismissed or closed: detection still files posts, nobody is paged
    start_clocks(session, incident, active_incident_policy(session), now)
    if incident.status == IncidentStatus.REPORTED:
        notices.queue(
            session, incident, "incident.upgraded", groups=[GroupKind.LEADERSHIP], any_grade=True
        )
        return
    tasks = plan_tasks(session, incident, actor, now)
    notices.queue(session, incident, "incident.upgraded", tasks=tasks)


def _meet_assessment(
    session: Session, incident: Incident, actor: Actor, reason: str, at: datetime | None = None
) -> None:
    from incidents.service import record_milestone  # the service builds on this module

    if not _assessed(session, incident):  # the decision after an assessment adds nothing
        record_milestone(session, incident.id, ASSESSMENT, actor, note=reason, at=at)


def _assessed(session: Session, incident: Incident) -> bool:
    return has_milestone(session, incident.id, ASSESSMENT)


_DECISIONS = {
    IncidentStatus.ACTIVE: Action.INCIDENT_ACTIVATED,
    IncidentStatus.DISMISSED: Action.INCIDENT_DISMISSED,
}


def _require_decidable(incident: Incident, reason: str, to: IncidentStatus) -> None:
    """Only a reported incident is activated or dismissed, and never without a reason."""
    activating = to == IncidentStatus.ACTIVE
    _require_reason(reason, "activation" if activating else "a dismissal")
    if incident.status != IncidentStatus.REPORTED:
        status = incident.status
        raise Conflict(
            Msg("only a reported incident can be activated; this one is {status}", status=status)
            if activating
            else Msg(
                "only a reported incident can be dismissed; this one is {status}", status=status
            ),
            code="not_reported",
        )


def _decide(
    session: Session,
    incident: Incident,
    actor: Actor,
    reason: str,
    at: datetime,
    to: IncidentStatus,
    **noted: object,
) -> None:
    """Leadership's (or the plan's) decision on a reported incident, logged."""
    incident.status = to
    incident.decided_by = actor.name
    incident.decided_at = at
    incident.decision_reason = reason
    record_event(
        session,
        _DECISIONS[to],
        actor,
        incident,
        reason=reason,
        before={"status": IncidentStatus.REPORTED.value},
        after={"status": incident.status, "grade": incident.grade, **noted},
        at=at,
    )


def _require_reason(reason: str, what: str) -> None:
    if not reason.strip():
        raise Invalid(Msg("{what} needs a reason", what=what), code="reason_required")
