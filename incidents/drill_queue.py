"""The drill's simulated reviewers work in the drill's own namespace: they claim only drill
cases and may decide only drill cases, so a drill never touches a real post. A drill stopped
before its reviewers finished closes the cases it left (`close_drill_cases`)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from core.actors import Actor, ActorType
from core.errors import NotFound
from pipeline.decisions import decide
from pipeline.models import CaseStatus, Decision, ReviewCase
from pipeline.queue import QueueFilter, claim_next
from pipeline.repository.cases import case_by_id, lock_undecided_drill_cases
from pipeline.routing import RoutingPolicy
from pipeline.schemas import DecisionIn

DRILL_QUEUE = QueueFilter(drill=True)


def drill_reviewer(key_name: str) -> Actor:
    """The simulated reviewer behind a drill key: a reviewer's rights, over drill cases only."""
    return Actor(f"drill-reviewer:{key_name}"[:64], ActorType.PLATFORM, ("reviewer",))


def claim_drill_case(session: Session, actor: Actor) -> ReviewCase | None:
    return claim_next(session, actor, filters=DRILL_QUEUE)


def decide_drill_case(
    session: Session, case_id: str, actor: Actor, body: DecisionIn, policy: RoutingPolicy
) -> Decision:
    case = case_by_id(session, case_id)
    if case is None or not case.is_drill:
        # A real case is not the drill's to see: answered like one that does not exist.
        raise NotFound(f"drill case {case_id} does not exist")
    return decide(session, case_id, actor, body, policy=policy)


def close_drill_cases(session: Session, post_ids: Collection[str]) -> int:
    """Close the drill cases of these posts that no drill reviewer decided (waiting or held), so
    an interrupted drill leaves nothing in the drill queue: they are closed with no decision (no
    verdict is made up for them). Only drill cases: a real case is never touched. Returns how
    many were closed; the drill logs the count as its own action (drill.finished)."""
    cases = lock_undecided_drill_cases(session, post_ids)
    for case in cases:
        case.status = CaseStatus.DECIDED
        case.claimed_by = None
        case.lease_expires_at = None
    return len(cases)
