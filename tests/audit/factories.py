"""Writing action-log events the way the product does (through `record`), in bulk for tests."""

from __future__ import annotations

from datetime import datetime

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor, ActorType
from core.db import transaction
from runtime.container import Runtime

REVIEWER = Actor(name="rita", type=ActorType.HUMAN, roles=("reviewer",))


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
