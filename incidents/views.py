"""Read models of an incident for the API and the review UI (one shape for both)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from audit.models import AuditEvent
from core.clock import utcnow
from incidents.clocks import remaining_seconds
from incidents.models import (
    Incident,
)
from incidents.repository.cases import cases_of_posts
from incidents.repository.incidents import milestones_in_order
from incidents.repository.narratives import members_in_order
from incidents.repository.response import clocks_by_due, notifications_with_group, tasks_of
from incidents.repository.timeline import incident_timeline
from incidents.schemas import TaskView
from incidents.severity import GRADE_NAMES, ROMAN
from incidents.types import profile


def summary(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "type": incident.type,
        "type_label": profile(incident.type).label,
        "title": incident.title,
        "key": incident.key,
        "claim_id": incident.claim_id,
        "status": incident.status,
        "grade": incident.grade,
        "grade_label": ROMAN[incident.grade],
        "grade_name": GRADE_NAMES[incident.grade],
        "topic": incident.topic,
        "posts": incident.post_count,
        "reach": incident.reach,
        "velocity_per_hour": incident.velocity,
        "regions": incident.regions,
        "surge": incident.surge,
        "is_drill": incident.is_drill,
        "first_seen_at": incident.first_seen_at.isoformat(),
        "opened_at": incident.opened_at.isoformat(),
        "contained_at": incident.contained_at.isoformat() if incident.contained_at else None,
        "closed_at": incident.closed_at.isoformat() if incident.closed_at else None,
        "reported_by": incident.reported_by,
        "owner": incident.owner,
        "decision": {
            "by": incident.decided_by,
            "at": incident.decided_at.isoformat() if incident.decided_at else None,
            "reason": incident.decision_reason,
        },
        "needs_activation": profile(incident.type).needs_activation(incident.grade),
    }


def report_fields(incident: Incident) -> dict[str, Any]:
    """What a person reported: what, when, where and the scope."""
    return {
        "what": incident.description,
        "when": incident.occurred_at.isoformat() if incident.occurred_at else None,
        "where": incident.location,
        "scope": incident.scope or {},
        "statement_kinds": list(profile(incident.type).statement_kinds),
    }


def tasks(session: Session, incident_id: str) -> list[dict[str, Any]]:
    return [TaskView.model_validate(t).model_dump() for t in tasks_of(session, incident_id)]


def notifications(session: Session, incident_id: str) -> list[dict[str, Any]]:
    """Who was told what, by which channel, and whether it went out."""
    rows = notifications_with_group(session, incident_id)
    return [
        {
            "group": role or "owner",
            "channel": n.channel,
            "event": n.payload.get("event"),
            "recipients": n.recipients or [],
            "tasks": len(given) if isinstance(given := n.payload.get("tasks"), list) else 0,
            "attempts": n.attempts,
            "sent_at": n.sent_at.isoformat() if n.sent_at else None,
            "last_error": n.last_error,
            "created_at": n.created_at.isoformat(),
        }
        for n, role in rows
    ]


def clocks(session: Session, incident_id: str, now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or utcnow()
    rows = clocks_by_due(session, incident_id)
    return [
        {
            "name": c.name,
            "milestone": c.milestone,
            "status": c.status,
            "started_at": c.started_at.isoformat(),
            "due_at": c.due_at.isoformat(),
            "remaining_seconds": remaining_seconds(c, now),
            "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None,
        }
        for c in rows
    ]


def detail(session: Session, incident: Incident, now: datetime | None = None) -> dict[str, Any]:
    members = members_in_order(session, incident.id)
    cases = cases_of_posts(session, [m.post_id for m in members])
    milestones = milestones_in_order(session, incident.id)
    timeline = incident_timeline(session, incident.id)
    return (
        summary(incident)
        | report_fields(incident)
        | {
            "clocks": clocks(session, incident.id, now),
            "tasks": tasks(session, incident.id),
            "notifications": notifications(session, incident.id),
            "milestones": [
                {"kind": m.kind, "actor": m.actor, "at": m.at.isoformat(), "note": m.note}
                for m in milestones
            ],
            "posts": [
                {
                    "post_id": m.post_id,
                    "reach": m.reach,
                    "region": m.region,
                    "observed_at": m.observed_at.isoformat(),
                }
                for m in members
            ],
            "cases": [
                {"case_id": c.id, "post_id": c.post_id, "status": c.status, "priority": c.priority}
                for c in cases
            ],
            "timeline": [
                {
                    "at": e.timestamp.isoformat(),
                    "action": e.action,
                    "actor": e.actor_name,
                    "reason": _veracity(e).get("reason"),
                    "subject": _veracity(e).get("subject") or {},
                }
                for e in timeline
            ],
        }
    )


def _veracity(event: AuditEvent) -> dict[str, Any]:
    """The event's own fields (reason, subject) from its stored document."""
    found = event.document.get("veracity") if isinstance(event.document, dict) else None
    return found if isinstance(found, dict) else {}
