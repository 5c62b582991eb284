"""Writing action-log events in the caller's transaction (the outbox pattern).

An event is added to the session at once, so the transaction's own queries see it, but it is
chained (sequence number, previous hash, hash) only as the transaction commits: the chain head
is a single row every audited write locks, and locking it at the first event held it across
the whole transaction (routing a post, deciding a case), which serialised every writer on
every replica. Now it is held for the commit alone: the transaction's other rows are flushed
first (so a writer holding the head never waits on another's rows: no deadlock), then the head
is locked, the events chained in the order they were recorded, and the commit follows. Sequence
numbers still follow commit order, so `verify`, anchors and retention read the chain as before.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import inspect
from sqlalchemy.orm import Session, SessionTransaction

from audit.chain import event_hash
from audit.events import Action, Subject
from audit.models import AuditEvent
from audit.repository.chain import lock_chain_head
from core.actors import Actor
from core.clock import utcnow

MAIN_CHAIN = "main"
UNCHAINED = "audit_unchained"  # session.info: this transaction's events awaiting the chain


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
    """Add one event to the session; it commits (or rolls back) with the change it describes
    and is chained as it commits (`seq`, `hash` and the document's chain are unset until then)."""
    event_id = uuid.uuid4().hex
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
            "chain": {"name": MAIN_CHAIN},
        },
    }
    event = AuditEvent(
        id=event_id,
        chain=MAIN_CHAIN,
        timestamp=when,
        action=action.value,
        actor_name=actor.name,
        actor_type=actor.type.value,
        post_id=subject.post_id,
        case_id=subject.case_id,
        incident_id=subject.incident_id,
        is_drill=is_drill,
        document=doc,
    )
    session.add(event)
    session.info.setdefault(UNCHAINED, []).append(event)
    return event


@sa_event.listens_for(Session, "before_commit")
def _chain_on_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the outer commit chains
        return
    # Events added inside a savepoint that rolled back are no longer in the session.
    events = [e for e in session.info.pop(UNCHAINED, []) if not inspect(e).transient]
    if not events:
        return
    session.flush()  # every other row this transaction writes is locked before the head is
    head = lock_chain_head(session, MAIN_CHAIN)
    for event in events:
        seq = head.seq + 1
        doc: dict[str, Any] = dict(event.document)
        veracity = dict(doc["veracity"])
        veracity["chain"] = {"name": MAIN_CHAIN, "seq": seq, "prev_hash": head.head_hash}
        doc["veracity"] = veracity
        digest = event_hash(doc, head.head_hash)
        veracity["chain"]["hash"] = digest
        event.seq, event.hash, event.document = seq, digest, doc
        head.seq, head.head_hash = seq, digest


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_on_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction committed or rolled back
        session.info.pop(UNCHAINED, None)
