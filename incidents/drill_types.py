"""A drill of any incident type: the plan's chain played by simulated people on drill-flagged
records only, then scored against the type's clocks (`drill_scoring.py`).

report -> leadership's assessment -> activation -> the groups' tasks and notifications ->
the notice or statement drafted from the type's templates (rendered, never stored as a real
statement) -> tasks done (each records its plan step) -> recovery -> close with a lesson.

Every record the chain makes belongs to an incident with `is_drill` set, so its events carry the
flag and the drill stays out of dashboards, exports and training labels (a tenant of its own).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor, ActorType
from core.clock import utcnow
from core.db import transaction
from core.errors import Invalid
from core.messages import Msg
from core.process import Process
from incidents import plan, response, service, tasks_board
from incidents.channels import mailer_from
from incidents.models import Incident, IncidentStatus, TaskStatus
from incidents.notify import deliver_pending
from incidents.repository.response import tasks_of
from incidents.types import IncidentType, Scope, profile
from statements.evidence import Evidence
from statements.templates import render

TEN_REGIONS = ("DE", "FR", "IT", "ES", "PL", "NL", "BE", "AT", "PT", "SE")
# Each scope grades at or above its type's activation grade, so leadership must decide.
SCOPES: dict[IncidentType, Scope] = {
    IncidentType.MISINFORMATION: Scope(reach=20_000_000, regions=TEN_REGIONS),
    IncidentType.SECURITY: Scope(
        affected_users=2_000_000, personal_data=True, regions=("DE", "FR")
    ),
    IncidentType.DATA_LEAK: Scope(records=5_000_000, affected_users=1_000_000, personal_data=True),
    IncidentType.OUTAGE: Scope(
        affected_users=5_000_000, services=("login", "app"), regions=("DE", "FR")
    ),
    IncidentType.COMPLIANCE: Scope(regulator=True, personal_data=True, affected_users=100_000),
    IncidentType.OTHER: Scope(affected_users=10_000_000, regions=TEN_REGIONS[:4]),
}
WHAT = {
    IncidentType.MISINFORMATION: "A false health claim about vaccines spreads across regions.",
    IncidentType.SECURITY: "Unknown logins to admin accounts from one address range.",
    IncidentType.DATA_LEAK: "A storage bucket with user e-mail addresses was public.",
    IncidentType.OUTAGE: "Users cannot sign in on web and app; the auth gateway answers 502.",
    IncidentType.COMPLIANCE: "A regulator asks for our takedown records by Friday.",
    IncidentType.OTHER: "A partner's widget shows our users another site's pages.",
}
NOTICE_FACTS = {
    "fact": "The claim is false: the vaccine contains no tracking device.",
    "what_happened": "a drill incident (nothing happened).",
    "service": "Sign-in",
    "current_status": "restored",
    "started_at": "08:00 UTC",
    "what_to_do": "Nothing: this is a drill.",
    "next_update": "the end of the drill",
    "discovered_at": "the drill's start",
    "what_we_did": "contained it in the drill",
    "data_affected": "none (drill)",
    "consequences": "none (drill)",
    "dpo_contact": "dpo@example.org",
    "people_affected": "none (drill)",
    "records_affected": "none (drill)",
    "users_notified": "not applicable (drill)",
}


def drill_actor(role: str) -> Actor:
    """A simulated member of a group; its role is the group, so it may work the group's tasks."""
    return Actor(f"drill-{role}", ActorType.HUMAN, (role,))


@dataclass
class ChainRun:
    """What the chain did, with the moments the score reads."""

    incident_id: str
    type: str
    started: datetime
    reported_at: datetime | None = None
    assessed_at: datetime | None = None
    activated_at: datetime | None = None
    closed_at: datetime | None = None
    notifications_sent: int = 0
    notices: list[dict[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def run_type_drill(
    rt: Process,
    kind: IncidentType,
    *,
    skip: Collection[str] = (),
    client: httpx.Client | None = None,
) -> ChainRun:
    """Play the plan's chain for an incident of `kind`. Tasks whose kind is in `skip` are left
    undone (to rehearse a missed step). With `client`, the drill incident's notifications are
    delivered through the groups' channels (they carry `is_drill`)."""
    _known_tasks(kind, skip)
    started = utcnow()
    with transaction(rt.sessions) as session:
        record(
            session,
            Action.DRILL_STARTED,
            drill_actor("leadership"),
            Subject(),
            after={"type": kind.value, "chain": True},
            is_drill=True,
        )
        incident = _report(session, kind)
        run = ChainRun(incident.id, kind.value, started, reported_at=incident.opened_at)
    with transaction(rt.sessions) as session:
        incident = service.get_incident(session, run.incident_id)
        _decide(session, incident, run)
    if client is not None:
        run.notifications_sent = deliver_drill_notifications(rt, client, run.incident_id)
    with transaction(rt.sessions) as session:
        incident = service.get_incident(session, run.incident_id)
        run.notices = drafted_notices(kind)
        run.skipped = _work_tasks(session, incident, set(skip))
    with transaction(rt.sessions) as session:
        incident = service.get_incident(session, run.incident_id)
        _recover_and_close(session, incident, run)
    return run


def _known_tasks(kind: IncidentType, skip: Collection[str]) -> None:
    """Refuse a task to skip that the plan never gives for `kind` (it would skip nothing)."""
    known = [task.kind for task in profile(kind).tasks]
    unknown = sorted(set(skip) - set(known))
    if unknown:
        raise Invalid(
            Msg(
                "no task {unknown} in the {type} plan; its tasks: {known}",
                unknown=", ".join(unknown),
                type=kind.value,
                known=", ".join(dict.fromkeys(known)),
            )
        )


def _report(session: Session, kind: IncidentType) -> Incident:
    report = response.Report(
        type=kind,
        title=f"Drill: {profile(kind).label.lower()}",
        what=WHAT[kind],
        where="drill",
        scope=SCOPES[kind],
        is_drill=True,
    )
    return response.report_incident(session, report, drill_actor("reviewer"))


def _decide(session: Session, incident: Incident, run: ChainRun) -> None:
    """Leadership confirms the grade, then activates (unless the plan already did)."""
    lead = drill_actor("leadership")
    response.assess(session, incident, incident.grade, "drill: grade confirmed", lead)
    run.assessed_at = utcnow()
    if incident.status == IncidentStatus.REPORTED:
        response.activate(session, incident, lead, "drill: the plan's response is rehearsed")
    run.activated_at = incident.decided_at or utcnow()


def deliver_drill_notifications(rt: Process, client: httpx.Client, incident_id: str) -> int:
    return deliver_pending(
        rt.sessions, client, mailer=mailer_from(rt.settings), incident_id=incident_id
    )


def drafted_notices(kind: IncidentType) -> list[dict[str, str]]:
    """The type's statement templates filled with drill facts (web channel): what PR would
    publish, kept in the drill report only (statements have no drill flag to carry)."""
    out = []
    for template in profile(kind).statement_kinds:
        text = render(template, "web", Evidence(facts=dict(NOTICE_FACTS)), "veracity (drill)")
        out.append({"kind": template, "title": text.title, "body": text.body})
    return out


def _work_tasks(session: Session, incident: Incident, skip: set[str]) -> list[str]:
    """Each group starts and finishes its tasks; returns the kinds left undone."""
    left = []
    for task in tasks_of(session, incident.id):
        if task.status not in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS):
            continue  # finished by an earlier task's plan step
        if task.kind in skip:
            left.append(task.kind)
            continue
        member = drill_actor(task.group)
        tasks_board.start_task(session, task.id, member)
        tasks_board.finish_task(session, task.id, member, note="drill")
    return left


def _recover_and_close(session: Session, incident: Incident, run: ChainRun) -> None:
    lead = drill_actor("leadership")
    if incident.status in (IncidentStatus.ACTIVE, IncidentStatus.CONTAINED):
        service.record_milestone(session, incident.id, "recovery", lead, note="drill recovery")
    lesson = "Drill: " + (
        f"left undone on purpose: {', '.join(run.skipped)}" if run.skipped else "chain complete"
    )
    plan.record_lesson(session, incident.id, lesson, lead)
    service.close_incident(session, incident.id, lead, "drill finished")
    run.closed_at = incident.closed_at
