"""What the incident pages show, read through the incidents domain (`views`, `attachments`):
the filtered list and one incident with what the signed-in role may do on it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.roles import Role
from incidents import attachments, views
from incidents.models import FINISHED, Incident, IncidentStatus
from incidents.report_review import REVIEWABLE, SIGNED_OFF, review_json
from incidents.repository import materials
from incidents.repository.incidents import incidents_newest_first
from incidents.service import MILESTONES
from incidents.severity import ROMAN
from incidents.system_notes import SYSTEM
from incidents.tasks_board import OVERSEERS, RESPONDERS
from incidents.types import IncidentType, profile
from pipeline.repository.cases import cases_of_incident
from review_ui.i18n import Msg
from review_ui.incidents import words
from statements import repository as statements_repository

TYPES = [(t.value, profile(t).label) for t in IncidentType]
GRADES = list(ROMAN.items())
STATUSES = list(dict.fromkeys(s.value for s in IncidentStatus))  # OPEN aliases ACTIVE


def list_context(session: Session, wanted: dict[str, str]) -> dict[str, Any]:
    grade = wanted.get("grade", "")
    found = incidents_newest_first(
        session,
        limit=200,
        type=wanted["type"] if wanted.get("type") in dict(TYPES) else None,
        grade=int(grade) if grade.isdigit() else None,
        status=wanted["status"] if wanted.get("status") in STATUSES else None,
        include_drills=wanted.get("drills") == "on",  # drills are a tenant of their own
    )
    return {
        "incidents": [views.summary(i) for i in found],
        "wanted": wanted,
        "types": TYPES,
        "grades": GRADES,
        "statuses": STATUSES,
        "typed": {},
        "word": words.word,
    }


def _remaining(seconds: float | None) -> str:
    if seconds is None:
        return ""
    late, left = seconds < 0, int(abs(seconds))
    span = Msg("{hours} h {minutes} min", hours=left // 3600, minutes=f"{left % 3600 // 60:02d}")
    return Msg("overdue by {span}", span=span) if late else Msg("{span} left", span=span)


def may(role: str, incident: Incident, review_state: str = "") -> dict[str, bool]:
    """The actions the role's routes accept (the same roles as `/v1/incidents`); the state
    decides which of them make sense now."""
    live = incident.status not in FINISHED
    reported = incident.status == IncidentStatus.REPORTED
    lead = role == Role.LEADERSHIP.value
    return {
        "assess": lead and live,
        "decide": lead and reported,
        "regrade": role in OVERSEERS and live,
        "close": role in OVERSEERS and live,
        "milestone": role in {r.value for r in RESPONDERS} and live,
        "attach": role in {r.value for r in RESPONDERS},
        # The report is reviewed once the response is over, until it is signed off.
        "review": lead and incident.status in REVIEWABLE and review_state != SIGNED_OFF,
    }


def detail_context(session: Session, incident: Incident, role: str) -> dict[str, Any]:
    shown = views.detail(session, incident)
    for clock in shown["clocks"]:
        clock["remaining_text"] = _remaining(clock["remaining_seconds"])
    _add_linked_cases(session, incident.id, shown)
    titles = {t["id"]: t["title"] for t in shown["tasks"]}
    for event in shown["timeline"]:  # a task's events name it by id only
        event["task"] = titles.get(event["subject"].get("task_id", ""), "")
        if event["actor"] == SYSTEM.name:
            event["system_note"] = words.system_note(event["reason"])
    linked = [attachments.describe(a) for a in materials.linked(session, incident.id)]
    have = {a["id"] for a in linked}
    review = review_json(materials.latest_review(session, incident.id))
    return {
        "incident": shown,
        "statements": statements_repository.for_incident(session, incident.id),
        "materials": linked,
        "library": [attachments.describe(a) for a in materials.listed(session) if a.id not in have],
        "groups_told": sorted({n["group"] for n in shown["notifications"]}),
        "can": may(role, incident, str(review["state"])),
        "review": review,
        "milestone_kinds": MILESTONES,
        "material_kinds": attachments.KINDS,
        "word": words.word,
        "grades": GRADES,
        "plan_tasks": [
            words.word("task", t.title) for t in profile(incident.type).tasks_for(incident.grade)
        ],
    }


def _add_linked_cases(session: Session, incident_id: str, shown: dict[str, Any]) -> None:
    """Cases tied to the incident directly (`review_cases.incident_id`) whose post detection
    did not file under the narrative: shown too, with their post."""
    have = {c["case_id"] for c in shown["cases"]}
    posts = {p["post_id"] for p in shown["posts"]}
    for case in cases_of_incident(session, incident_id):
        if case.id in have:
            continue
        shown["cases"].append(
            {
                "case_id": case.id,
                "post_id": case.post_id,
                "status": case.status,
                "priority": case.priority,
            }
        )
        if case.post_id not in posts:
            shown["posts"].append(
                {"post_id": case.post_id, "reach": 0, "region": None, "observed_at": ""}
            )
