"""Drafts opened for PR without anyone asking: from a reviewer's removal and from an incident.

A removal of a post that repeats a false library claim (or that the reviewer called a false
claim) means the public may need the fact: a counter-statement draft waits in the PR
workspace. An activated incident gets the draft its type calls for. Both are written by the
drafter (`system:drafts`), so neither can be approved before a person has checked and saved it
(`service.machine_written`). Both are idempotent (one open draft per claim, case or incident)
and never block what opened them: a draft that cannot be made is skipped inside a savepoint,
the decision or activation still commits.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy.orm import Session

from claims.models import Claim
from core.actors import Actor, ActorType
from core.errors import DomainError
from statements import repository, service
from statements.config import get_statement_settings
from statements.generators import OfflineGenerator
from statements.models import Statement, StatementKind, StatementStatus
from statements.schemas import DraftIn

log = logging.getLogger(__name__)
DRAFTER = Actor(name="system:drafts", type=ActorType.SYSTEM, roles=("system",))
FALSE_VERDICTS = {"false", "misleading"}
OPEN = (StatementStatus.DRAFT, StatementStatus.APPROVED)
# Incident grade (1 = particularly serious … 4 = ordinary) as the statement's severity.
GRADE_SEVERITY = {1: "critical", 2: "high", 3: "moderate", 4: "low"}
KIND_FOR_INCIDENT = {
    "misinformation": "counter_statement",
    "security": "security_incident",
    "data_leak": "data_breach_users",
    "outage": "service_interruption",
}


def open_draft_for_decision(
    session: Session,
    *,
    case_id: str,
    claim_id: str | None,
    action: str,
    reason_code: str,
    is_drill: bool = False,
) -> Statement | None:
    """After a final removal: a counter-statement draft about the claim (or the case)."""
    if action != "remove" or is_drill or not (claim_id or reason_code == "false_claim"):
        return None
    claim = session.get(Claim, claim_id) if claim_id else None
    if claim is not None and claim.verdict not in FALSE_VERDICTS:
        return None
    existing = _open_statement(session, claim_id=claim.id if claim else None, case_id=case_id)
    if existing is not None:
        return existing
    draft_in = DraftIn(
        kind=StatementKind.COUNTER_STATEMENT,
        claim_id=claim.id if claim else None,
        case_id=case_id,
    )
    return _draft(session, draft_in)


class IncidentFacts(Protocol):
    """What a draft needs of an incident (incidents build on statements, not the reverse)."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def grade(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def claim_id(self) -> str | None: ...
    @property
    def is_drill(self) -> bool: ...


def open_draft_for_incident(
    session: Session, incident: IncidentFacts, actor: Actor
) -> Statement | None:
    """For the incidents domain to call when an incident is activated: the statement its type
    answers with, at its grade's severity (high and critical then need legal approval)."""
    if incident.is_drill:
        return None
    incident_id = incident.id
    kind = next((k for k in StatementKind if k.value == KIND_FOR_INCIDENT.get(incident.type)), None)
    if kind is None:
        return None
    found = repository.unwithdrawn_for_incident(session, incident_id, kind.value)
    if found is not None:
        return found
    facts = {"what_happened": incident.description} if incident.description else {}
    if kind is StatementKind.COUNTER_STATEMENT and not incident.claim_id:
        facts = {"fact": incident.title}  # a counter-statement needs something to stand on
    draft_in = DraftIn(
        kind=kind,
        claim_id=incident.claim_id if kind is StatementKind.COUNTER_STATEMENT else None,
        incident_id=incident_id,
        incident_severity=GRADE_SEVERITY.get(incident.grade),
        facts=facts,
    )
    # Written by the drafter, not by whoever activated the incident: nobody has checked it yet.
    return _draft(session, draft_in, reason=f"opened when {actor.name} activated the incident")


def _open_statement(session: Session, *, claim_id: str | None, case_id: str) -> Statement | None:
    return repository.counter_statement_in(session, OPEN, claim_id=claim_id, case_id=case_id)


def _draft(session: Session, draft_in: DraftIn, *, reason: str | None = None) -> Statement | None:
    settings = get_statement_settings()
    try:
        with session.begin_nested():
            return service.draft(
                session,
                draft_in,
                DRAFTER,
                OfflineGenerator(),
                platform=settings.platform_name,
                reason=reason,
            )
    except DomainError as exc:  # the decision stands; PR can still draft by hand
        log.warning("no statement draft opened: %s", exc.message)
        return None
