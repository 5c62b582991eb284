"""The post-incident report, computed from the action log (the audit events) alone.

Times are measured from the first post seen in the narrative (a reported incident: from when it
began) to each step of the incident's own type's plan (`report_steps.py`): for false
information, detection, first enforcement action, first public statement, containment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from audit.events import Action
from audit.models import AuditEvent
from core.messages import Msg
from incidents.models import NarrativePost
from incidents.report_steps import MISINFORMATION_STEPS, plan_steps, step_times
from incidents.repository.cases import cases_of_posts
from incidents.repository.narratives import members_in_order
from incidents.repository.plans import lessons_of_incident
from incidents.repository.response import clocks_by_due
from incidents.repository.timeline import events_of_incident_and_posts
from incidents.service import get_incident

PLAN = MISINFORMATION_STEPS  # the steps of a false-information incident (kept for importers)


@dataclass
class Report:
    incident: dict[str, Any]
    first_seen_at: datetime
    timeline: list[dict[str, Any]]
    durations_s: dict[str, float | None]
    volumes: dict[str, int]
    sla: dict[str, Any]
    agreement: dict[str, Any]
    deadlines: list[dict[str, Any]]
    deviations: list[str]
    reach_series: list[tuple[datetime, int]]
    lessons: list[str] = field(default_factory=list)
    # Step key -> label, the incident type's plan steps that `durations_s` times, in order.
    steps: dict[str, str] = field(default_factory=lambda: dict(PLAN))


def build_report(session: Session, incident_id: str) -> Report:
    from incidents.views import summary

    incident = get_incident(session, incident_id)
    members = members_in_order(session, incident.id)
    post_ids = [m.post_id for m in members]
    events = events_of_incident_and_posts(session, incident.id, post_ids)
    start = incident.first_seen_at
    steps = plan_steps(incident.type)
    moments = step_times(incident, events, steps)
    durations = {k: (v - start).total_seconds() if v else None for k, v in moments.items()}
    report = Report(
        incident=summary(incident),
        first_seen_at=start,
        timeline=[
            {"at": e.timestamp, "action": e.action, "actor": e.actor_name, "detail": _detail(e)}
            for e in events
            if e.action not in {Action.INCIDENT_POST_LINKED.value, Action.POST_SCORED.value}
        ],
        durations_s=durations,
        volumes=_volumes(events, len(members)),
        sla=_sla(session, events, post_ids),
        agreement=_agreement(events),
        deadlines=_deadlines(session, incident.id),
        deviations=[],
        reach_series=_reach_series(members),
        lessons=[lesson.text for lesson in lessons_of_incident(session, incident.id)],
        steps=steps,
    )
    report.deviations = _deviations(report)
    return report


class Code(Msg):
    """A stored code (a milestone, a clock's name or status) in what the report writes: in
    English the code as it is; for another reader its words (its "_" as spaces) in the
    reader's language where the catalogue has them, else the code."""

    def render(self, gettext: Callable[[str], str]) -> str:
        words = self.replace("_", " ")
        shown = gettext(words)
        return str(self) if shown == words else shown


def _listed(parts: list[Msg]) -> Msg:
    """The parts one after another, ", " between them."""
    template = ", ".join(f"{{part{i}}}" for i in range(len(parts)))
    return Msg(template, **{f"part{i}": part for i, part in enumerate(parts)})


def _detail(event: AuditEvent) -> str:
    """The event's reason (as written), else what it named (a milestone, a grade), for the
    timeline: a `Msg`, that the report renders in its reader's language."""
    veracity: Any = event.document.get("veracity", {})
    if not isinstance(veracity, dict):
        return ""
    if veracity.get("reason"):
        return str(veracity["reason"])
    named: list[Msg] = []
    for key, value in veracity.get("subject", {}).items():
        if key == "milestone":
            named.append(Msg("milestone {milestone}", milestone=Code(str(value))))
        elif key == "plan_version":
            named.append(Msg("plan_version {version}", version=value))
    after = _after(event)
    if "grade" in after:
        named.append(Msg("grade {grade}", grade=after["grade"]))
    return _listed(named)


def _volumes(events: list[AuditEvent], posts: int) -> dict[str, int]:
    def distinct(action: Action, platform_action: str | None = None) -> int:
        return len(
            {
                e.post_id
                for e in events
                if e.action == action.value
                and e.post_id
                and (platform_action is None or _after(e).get("action") == platform_action)
            }
        )

    return {
        "posts": posts,
        # Every confirmed platform action is one event; only removals count as removed.
        "removed": distinct(Action.ENFORCEMENT_CONFIRMED, "remove"),
        "labelled": distinct(Action.POST_LABELLED),
        "restored": distinct(Action.POST_RESTORED),
        "decided": distinct(Action.CASE_DECIDED),
    }


def _sla(session: Session, events: list[AuditEvent], post_ids: list[str]) -> dict[str, Any]:
    cases = {c.id: c for c in cases_of_posts(session, post_ids)}
    decided = {
        e.case_id: e.timestamp
        for e in events
        if e.action == Action.CASE_DECIDED.value and e.case_id in cases
    }
    met = sum(1 for cid, at in decided.items() if at <= cases[cid].due_at)
    return {
        "cases": len(cases),
        "decided": len(decided),
        "within_sla": met,
        "attainment": round(met / len(decided), 4) if decided else None,
    }


def _after(event: AuditEvent) -> dict[str, Any]:
    veracity: Any = event.document.get("veracity", {})
    after = veracity.get("after", {}) if isinstance(veracity, dict) else {}
    return after if isinstance(after, dict) else {}


def _agreement(events: list[AuditEvent]) -> dict[str, Any]:
    seconds = [e for e in events if e.action == Action.CASE_SECOND_REVIEWED.value]
    agreed = sum(1 for e in seconds if _after(e).get("agrees"))
    return {
        "second_reviews": len(seconds),
        "agreed": agreed,
        "rate": round(agreed / len(seconds), 4) if seconds else None,
    }


def _deadlines(session: Session, incident_id: str) -> list[dict[str, Any]]:
    clocks = clocks_by_due(session, incident_id)
    return [
        {"name": c.name, "status": c.status, "due_at": c.due_at, "resolved_at": c.resolved_at}
        for c in clocks
    ]


def _deviations(report: Report) -> list[str]:
    """Each deviation as a `Msg` (English where a plain string is read)."""
    found: list[str] = [
        Msg("deadline '{name}' {status}", name=Code(str(d["name"])), status=Code(str(d["status"])))
        for d in report.deadlines
        if d["status"] != "met"
    ]
    found += [
        Msg("not reached: {step}", step=Code(str(label)))
        for key, label in report.steps.items()
        if report.durations_s[key] is None
    ]
    if report.sla["attainment"] is not None and report.sla["attainment"] < 1.0:
        share = f"{report.sla['attainment']:.0%}"
        found.append(Msg("review SLA attained for {share} of decided cases", share=share))
    return found


def _reach_series(members: list[NarrativePost]) -> list[tuple[datetime, int]]:
    total, series = 0, []
    for member in members:
        total += member.reach
        series.append((member.observed_at, total))
    return series
