"""Writing action-log events the way the product does (through `record`), in bulk for tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.holds import HoldSubject, set_hold
from audit.operations import verify
from audit.service import record
from audit.verify import Break
from core.actors import Actor, ActorType
from core.clock import utcnow
from core.db import transaction
from pipeline.models import ReviewCase
from runtime.container import Runtime
from tests.pipeline.factories import add_scored_post

# A runtime and what makes the events written so far searchable in its log store (the
# `store` fixture: the database, or Elasticsearch once shipped).
Store = tuple[Runtime, Callable[[], None]]
REVIEWER = Actor(name="rita", type=ActorType.HUMAN, roles=("reviewer",))
LEGAL = Actor.system("test-legal")


def write_events(
    rt: Runtime,
    n: int,
    *,
    action: Action = Action.CASE_DECIDED,
    actor: Actor = REVIEWER,
    post_prefix: str = "p",
    case_id: str | None = None,
    reason: str = "false_claim: vaccine microchip rumour",
    policy_version: str | None = "policy-7",
    after: dict[str, object] | None = None,
    is_drill: bool = False,
    at: datetime | None = None,
) -> None:
    with transaction(rt.sessions) as session:
        for i in range(n):
            record(
                session,
                action,
                actor,
                Subject(post_id=f"{post_prefix}{i}", case_id=case_id),
                reason=reason,
                policy_version=policy_version,
                after=after
                if after is not None
                else {"action": "remove", "reason_code": "false_claim"},
                is_drill=is_drill,
                at=at,
            )


def add_case(session: Session, case_id: str | None = None) -> ReviewCase:
    """A scored post and its open case, written straight to the tables: nothing is logged, so
    the log holds only what a test writes."""
    post = add_scored_post(session)
    case = ReviewCase(
        id=case_id or uuid.uuid4().hex,
        post_id=post.id,
        band="review",
        priority=0.5,
        policy_version="test-policy",
        due_at=utcnow() + timedelta(hours=4),
    )
    session.add(case)
    session.flush()
    return case


def write_around_a_held_case(rt: Runtime, *, days_ago: int, old: int, fresh: int) -> None:
    """`old` events from `days_ago` days ago (posts a0...), one of case "case-held" under a
    legal hold (held0), `old` more (b0...), then `fresh` events of today (new0...)."""
    at = utcnow() - timedelta(days=days_ago)
    write_events(rt, old, at=at, post_prefix="a")
    write_events(rt, 1, at=at, post_prefix="held", case_id="case-held")
    write_events(rt, old, at=at, post_prefix="b")
    write_events(rt, fresh, post_prefix="new")
    with transaction(rt.sessions) as s:
        add_case(s, "case-held")
        set_hold(s, HoldSubject.CASE, "case-held", "court order 2026/311", LEGAL)


def first_break(rt: Runtime) -> Break:
    """The first break `verify` finds in the log; there must be one."""
    brk = verify(rt, LEGAL, log_result=False).first_break
    assert brk is not None
    return brk
