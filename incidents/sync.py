"""Milestones the action log already proves: the first enforcement on an incident's posts
and the first statement published about its claim stop their clocks without anyone typing.

Publishing a statement records its milestone at once (`statement_published`, called with the
published event); the scan's `sync_milestones` is the fallback for anything recorded before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from audit.events import Action
from core.messages import Msg
from incidents.models import Incident
from incidents.repository.incidents import has_milestone, milestone_kinds, unfinished_incidents
from incidents.repository.timeline import first_enforcement_at, first_statement_at
from incidents.service import record_milestone
from incidents.system_notes import FROM_LOG, PUBLISHED, SYSTEM

if TYPE_CHECKING:
    from statements.models import Statement

ENFORCED = (Action.ENFORCEMENT_CONFIRMED.value, Action.POST_LABELLED.value)
# The plan step a published statement of each kind takes.
STATEMENT_MILESTONES = {
    "counter_statement": "public_statement",
    "security_incident": "public_statement",
    "service_interruption": "user_notice",
    "data_breach_users": "user_notice",
    "data_breach_regulator": "regulator_notice",
}


def statement_published(session: Session, statement: Statement) -> int:
    """The statement's incident (or the live incidents of its claim) reached the plan step
    the statement takes: its clock stops now, not when the next post makes the scan run."""
    kind = STATEMENT_MILESTONES.get(statement.kind, "public_statement")
    about: list[ColumnElement[bool]] = (
        [Incident.id == statement.incident_id] if statement.incident_id else []
    )
    if statement.claim_id:  # a real statement never stands in for a drill's
        about.append(and_(Incident.claim_id == statement.claim_id, Incident.is_drill.is_(False)))
    if not about:
        return 0
    added = 0
    for incident in unfinished_incidents(session, about):
        if not has_milestone(session, incident.id, kind):
            note = Msg(PUBLISHED.template, statement_id=statement.id)
            record_milestone(
                session, incident.id, kind, SYSTEM, note=note, at=statement.published_at
            )
            added += 1
    return added


def sync_milestones(session: Session) -> int:
    """Record missing first_action / public_statement milestones from the log; returns count."""
    added = 0
    for incident in unfinished_incidents(session):
        have = milestone_kinds(session, incident.id)
        if "first_action" not in have and (
            at := first_enforcement_at(session, incident.id, ENFORCED)
        ):
            record_milestone(session, incident.id, "first_action", SYSTEM, note=FROM_LOG, at=at)
            added += 1
        if "public_statement" not in have and (at := first_statement_at(session, incident)):
            record_milestone(session, incident.id, "public_statement", SYSTEM, note=FROM_LOG, at=at)
            added += 1
    return added
