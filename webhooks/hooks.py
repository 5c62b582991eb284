"""The moments the platform hears about: the pipeline's decisions and confirmed enforcement
(listeners on `pipeline.hooks`) and chosen action-log events.

Payloads carry ids and outcomes, never reviewer names (the platform does not need them).
Incident and statement events come from the action log itself (`LOG_EVENTS` below).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, SessionTransaction

from pipeline.hooks import on_decided, on_enforcement_confirmed
from pipeline.models import Decision, EnforcementAction, Post
from webhooks.schemas import EventType
from webhooks.service import enqueue_event

UNDO_ACTION = "undo"


@on_decided
def decision_made(session: Session, decision: Decision, post: Post) -> None:
    enqueue_event(
        session,
        EventType.DECISION_MADE,
        {
            "post_id": post.id,
            "decision_id": decision.id,
            "case_id": decision.case_id,
            "action": decision.action,
            "reason_code": decision.reason_code,
            "territories": list(decision.territories or []),
            "is_drill": post.is_drill,
        },
    )


@on_enforcement_confirmed
def enforcement_confirmed(session: Session, action: EnforcementAction, post: Post | None) -> None:
    """A confirmed undo is a restoration; anything else (remove, label, …) is enforcement."""
    event = (
        EventType.POST_RESTORED if action.action == UNDO_ACTION else EventType.ENFORCEMENT_CONFIRMED
    )
    enqueue_event(
        session,
        event,
        {
            "post_id": action.post_id,
            "action_id": action.id,
            "action": action.action,
            "platform_reference": action.platform_reference,
            "post_status": post.status if post else None,
            "is_drill": bool(post and post.is_drill),
        },
    )


# Action-log events the platform hears about too. Listening to the log (rather than a line in
# each domain) means every path that records the event, UI, API or worker, sends it.
LOG_EVENTS = {
    "incident.opened": EventType.INCIDENT_OPENED,
    "incident.activated": EventType.INCIDENT_ACTIVATED,
    "incident.closed": EventType.INCIDENT_CLOSED,
    "statement.published": EventType.STATEMENT_PUBLISHED,
}
_PENDING = "webhooks.log_events"


def _payload(doc: dict[str, Any]) -> dict[str, Any]:
    """Ids and outcomes only: no actor names, no internal notes."""
    v = doc.get("veracity", {})
    after = v.get("after") or {}
    payload: dict[str, Any] = {"is_drill": bool(v.get("is_drill")), "at": doc.get("@timestamp")}
    if v.get("incident_id"):
        payload["incident_id"] = v["incident_id"]
        payload.update({k: after[k] for k in ("grade", "status", "type") if k in after})
    if v.get("statement_id"):
        from core.settings import get_settings
        from statements.config import statement_settings_for
        from statements.feeds import statement_url

        payload["statement_id"] = v["statement_id"]
        payload["version"] = after.get("version")
        payload["url"] = statement_url(statement_settings_for(get_settings()), v["statement_id"])
    return payload


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: object) -> None:
    from audit.models import AuditEvent

    found = [o for o in session.new if isinstance(o, AuditEvent) and o.action in LOG_EVENTS]
    if found:
        session.info.setdefault(_PENDING, []).extend(found)


@event.listens_for(Session, "before_commit")
def _send(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for logged in pending:
        if inspect(logged).persistent:  # not rolled back with a savepoint
            enqueue_event(session, LOG_EVENTS[logged.action], _payload(logged.document))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction is over (a savepoint is not)
        session.info.pop(_PENDING, None)
