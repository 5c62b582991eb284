"""Legal holds: events about a held case, incident or post are kept past retention.

A hold names something that exists: the domains that own cases, posts and incidents sit above
audit, so the wiring (`runtime/domains.py`) registers how to look each kind up
(`subject_lookup`), and `set_hold` refuses an id that names nothing."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from audit import repository
from audit.events import Action, Subject
from audit.models import LegalHold
from audit.service import record
from core.actors import Actor
from core.clock import utcnow
from core.errors import Conflict, Invalid, NotFound
from core.messages import Msg


class HoldSubject(enum.StrEnum):
    CASE = "case"
    INCIDENT = "incident"
    POST = "post"


# The row an id names, or None; registered per kind by the wiring.
SubjectLookup = Callable[[Session, str], object | None]
_lookups: dict[HoldSubject, SubjectLookup] = {}


def subject_lookup(kind: HoldSubject, lookup: SubjectLookup) -> None:
    """How to find a `kind` subject by id (the wiring calls this for every kind)."""
    _lookups[kind] = lookup


def _require_subject(session: Session, kind: HoldSubject, subject_id: str) -> None:
    lookup = _lookups.get(kind)
    if lookup is None:  # a process that skipped runtime.domains: never hold unchecked
        raise RuntimeError(f"no {kind.value} lookup registered for legal holds (runtime.domains)")
    if lookup(session, subject_id) is None:
        raise NotFound(
            Msg("no {kind} {subject_id} to hold", kind=kind.value, subject_id=subject_id)
        )


def _subject(kind: HoldSubject, subject_id: str) -> Subject:
    if kind is HoldSubject.CASE:
        return Subject(case_id=subject_id)
    if kind is HoldSubject.INCIDENT:
        return Subject(incident_id=subject_id)
    return Subject(post_id=subject_id)


def set_hold(
    session: Session, kind: HoldSubject, subject_id: str, reason: str, actor: Actor
) -> LegalHold:
    if not reason.strip():
        raise Invalid(
            Msg("a legal hold needs a reason (matter, request or order)"), code="reason_required"
        )
    if not subject_id.strip():
        raise Invalid(Msg("a legal hold needs the id of what it holds"), code="subject_required")
    _require_subject(session, kind, subject_id)
    existing = repository.unreleased_hold_on(session, kind.value, subject_id)
    if existing is not None:
        raise Conflict(
            Msg(
                "{kind} {subject_id} is already on hold ({hold_id})",
                kind=kind.value,
                subject_id=subject_id,
                hold_id=existing.id,
            )
        )
    hold = LegalHold(
        id=uuid.uuid4().hex,
        subject_type=kind.value,
        subject_id=subject_id,
        reason=reason.strip(),
        set_by=actor.name,
        set_at=utcnow(),
    )
    session.add(hold)
    record(
        session,
        Action.LEGAL_HOLD_SET,
        actor,
        _subject(kind, subject_id),
        reason=hold.reason,
        after={"hold_id": hold.id, "subject_type": kind.value},
    )
    return hold


def release_hold(session: Session, hold_id: str, reason: str, actor: Actor) -> LegalHold:
    hold = repository.legal_hold(session, hold_id)
    if hold is None:
        raise NotFound(Msg("no legal hold {hold_id}", hold_id=hold_id))
    if hold.released_at is not None:
        raise Conflict(Msg("legal hold {hold_id} was already released", hold_id=hold_id))
    if not reason.strip():
        raise Invalid(Msg("releasing a hold needs a reason"), code="reason_required")
    hold.released_at = utcnow()
    hold.released_by = actor.name
    record(
        session,
        Action.LEGAL_HOLD_RELEASED,
        actor,
        _subject(HoldSubject(hold.subject_type), hold.subject_id),
        reason=reason.strip(),
        before={"hold_id": hold.id, "set_by": hold.set_by},
    )
    return hold


def active_holds(session: Session) -> list[LegalHold]:
    return repository.unreleased_holds_oldest_first(session)


@dataclass(frozen=True)
class HeldSubjects:
    posts: frozenset[str]
    cases: frozenset[str]
    incidents: frozenset[str]

    def holds(self, post_id: str | None, case_id: str | None, incident_id: str | None) -> bool:
        return (
            (post_id is not None and post_id in self.posts)
            or (case_id is not None and case_id in self.cases)
            or (incident_id is not None and incident_id in self.incidents)
        )


def held_subjects(session: Session) -> HeldSubjects:
    """Everything under hold. A held case or incident also holds its posts' events (scoring,
    enforcement), found through the log itself."""
    holds = active_holds(session)
    cases = {h.subject_id for h in holds if h.subject_type == HoldSubject.CASE}
    incidents = {h.subject_id for h in holds if h.subject_type == HoldSubject.INCIDENT}
    posts = {h.subject_id for h in holds if h.subject_type == HoldSubject.POST}
    if cases or incidents:
        posts.update(repository.post_ids_of(session, cases, incidents))
    return HeldSubjects(frozenset(posts), frozenset(cases), frozenset(incidents))
