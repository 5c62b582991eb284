"""Writing action-log events in the caller's transaction (the outbox pattern)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.chain import GENESIS, event_hash
from audit.events import Action, Subject
from audit.models import AuditChain, AuditEvent
from core.actors import Actor
from core.clock import utcnow

MAIN_CHAIN = "main"


def record(
    session: Session,
    action: Action,
    actor: Actor,
    subject: Subject,
    *,
    reason: str | None = None,
    policy_version: str | None = None,
    model_version: str | None = None,
    score: float | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request_id: str | None = None,
    is_drill: bool = False,
    at: datetime | None = None,
) -> AuditEvent:
    """Add one event to the session; it commits (or rolls back) with the change it describes."""
    head = _lock_chain_head(session, MAIN_CHAIN)
    seq = head.seq + 1
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"veracity:{MAIN_CHAIN}:{seq}:{uuid.uuid4()}").hex
    when = at or utcnow()
    doc: dict[str, Any] = {
        "@timestamp": when.isoformat(),
        "event": {"id": event_id, "action": action.value, "kind": "event", "outcome": "success"},
        "user": {"name": actor.name, "roles": list(actor.roles)},
        "http": {"request": {"id": request_id}} if request_id else {},
        "veracity": {
            "actor_type": actor.type.value,
            "post_id": subject.post_id,
            "case_id": subject.case_id,
            "action_id": subject.action_id,
            "statement_id": subject.statement_id,
            "incident_id": subject.incident_id,
            "claim_id": subject.claim_id,
            "subject": dict(subject.other),
            "reason": reason,
            "policy_version": policy_version,
            "model_version": model_version,
            "score": score,
            "before": before or {},
            "after": after or {},
            "is_drill": is_drill,
            "chain": {"name": MAIN_CHAIN, "seq": seq, "prev_hash": head.head_hash},
        },
    }
    digest = event_hash(doc, head.head_hash)
    doc["veracity"]["chain"]["hash"] = digest
    head.seq = seq
    head.head_hash = digest
    event = AuditEvent(
        id=event_id,
        chain=MAIN_CHAIN,
        seq=seq,
        timestamp=when,
        action=action.value,
        actor_name=actor.name,
        actor_type=actor.type.value,
        post_id=subject.post_id,
        case_id=subject.case_id,
        incident_id=subject.incident_id,
        is_drill=is_drill,
        document=doc,
        hash=digest,
    )
    session.add(event)
    return event


def _lock_chain_head(session: Session, name: str) -> AuditChain:
    head = session.scalars(
        select(AuditChain).where(AuditChain.name == name).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditChain(name=name, seq=0, head_hash=GENESIS)
        session.add(head)
        session.flush()
    return head
