"""The plan steps a post-incident report times, for the incident's own type.

False information keeps its four steps (detected, first enforcement action, first public
statement, contained). Every other type is timed on its own plan: reported, activated, then the
steps its clocks and tasks name (`type_rules.py`), in the order of the time the plan allows, and
recovery. Each step is timed by the first action-log event that proves it."""

from __future__ import annotations

from datetime import datetime

from audit.events import Action
from audit.models import AuditEvent
from incidents.models import Incident
from incidents.types import IncidentType, profile

MISINFORMATION_STEPS = {
    "detect": "detected (incident opened)",
    "first_action": "first enforcement action",
    "first_statement": "first public statement",
    "containment": "contained",
}
ENFORCEMENT = {Action.ENFORCEMENT_CONFIRMED.value, Action.POST_LABELLED.value}
# What a milestone reads as in the report (keys: incidents.service.MILESTONES).
MILESTONE_LABELS = {
    "internal_report": "first internal report",
    "first_action": "first enforcement action",
    "public_statement": "public statement",
    "containment": "contained",
    "user_notice": "users notified",
    "regulator_notice": "regulator notified (breach notice)",
    "legal_review": "legal review done",
    "recovery": "recovered",
}


def time_from(incident_type: str) -> str:
    """The steps' column heading: a detected wave is timed from its first post."""
    return "Time from first post" if incident_type == "misinformation" else "Time from start"


def plan_steps(incident_type: str) -> dict[str, str]:
    """Step key -> label, in plan order; a milestone step's key is the milestone's kind."""
    kind = IncidentType(incident_type)
    if kind is IncidentType.MISINFORMATION:
        return dict(MISINFORMATION_STEPS)
    rules = profile(kind)
    clocks = sorted(rules.clocks, key=lambda c: c.within)
    named = [c.milestone for c in clocks] + [t.milestone for t in rules.tasks if t.milestone]
    steps = {"reported": "reported", "activated": "response activated"}
    for milestone in [*dict.fromkeys(named), "recovery"]:
        steps.setdefault(milestone, MILESTONE_LABELS.get(milestone, milestone.replace("_", " ")))
    if kind is IncidentType.OUTAGE:
        steps["recovery"] = "service restored"
    return steps


def _first(events: list[AuditEvent], actions: set[str]) -> datetime | None:
    return next((e.timestamp for e in events if e.action in actions), None)


def _milestone_at(events: list[AuditEvent], kind: str) -> datetime | None:
    for e in events:
        veracity = e.document.get("veracity", {})
        other = veracity.get("subject", {}) if isinstance(veracity, dict) else {}
        if e.action == Action.INCIDENT_MILESTONE.value and other.get("milestone") == kind:
            return e.timestamp
    return None


def step_times(
    incident: Incident, events: list[AuditEvent], steps: dict[str, str]
) -> dict[str, datetime | None]:
    """When each step was first reached (None: not reached)."""
    opened = {Action.INCIDENT_OPENED.value, Action.INCIDENT_REPORTED.value}
    known: dict[str, datetime | None] = {
        "detect": _first(events, {Action.INCIDENT_OPENED.value}),
        "reported": _first(events, opened),
        "activated": _first(events, {Action.INCIDENT_ACTIVATED.value}),
        "first_action": _first(events, ENFORCEMENT),
        "first_statement": _first(events, {Action.STATEMENT_PUBLISHED.value})
        or _milestone_at(events, "public_statement"),
        "containment": incident.contained_at,
        "recovery": _milestone_at(events, "recovery")
        or _first(events, {Action.INCIDENT_RECOVERED.value}),
    }
    return {key: known[key] if key in known else _milestone_at(events, key) for key in steps}
