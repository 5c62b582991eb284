"""Routing policies in the database: the active one, saving a new version, previewing a candidate."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.clock import utcnow
from pipeline.models import StoredRoutingPolicy
from pipeline.repository.policies import latest_policy_version, newest_policy
from pipeline.repository.posts import real_posts_with_latest_score
from pipeline.routing import RoutingPolicy, route_stored
from pipeline.schemas import RoutingPolicyBody
from pipeline.triage import UNSUPPORTED_LANGUAGE

PREVIEW_LIMIT = 50_000


def stored_version(number: int) -> str:
    return f"v{number}"


def active_policy(session: Session, fallback: RoutingPolicy | None = None) -> RoutingPolicy:
    """The newest saved policy; the built-in default until an admin saves one."""
    row = newest_policy(session)
    if row is None:
        return fallback or RoutingPolicy()
    return RoutingPolicy.from_body(dict(row.body), stored_version(row.version))


def save_policy(
    session: Session,
    body: RoutingPolicyBody,
    actor: Actor,
    *,
    note: str = "",
    fallback: RoutingPolicy | None = None,
) -> RoutingPolicy:
    before = active_policy(session, fallback)
    latest = latest_policy_version(session)
    row = StoredRoutingPolicy(
        version=latest + 1, body=body.model_dump(), author=actor.name, note=note
    )
    session.add(row)
    session.flush()  # a concurrent save of the same version fails here on the primary key
    policy = RoutingPolicy.from_body(dict(row.body), stored_version(row.version))
    record(
        session,
        Action.POLICY_CHANGED,
        actor,
        Subject(other={"policy": "routing"}),
        reason=note or None,
        policy_version=policy.version,
        before={"version": before.version, "policy": before.to_body()},
        after={"version": policy.version, "policy": policy.to_body()},
    )
    return policy


def preview(
    session: Session, policy: RoutingPolicy, since: datetime, now: datetime | None = None
) -> dict[str, int]:
    """How real posts received since `since` would route under `policy` (their latest score
    each); a drill's wave says nothing about tomorrow's queue."""
    now = now or utcnow()
    rows = real_posts_with_latest_score(session, since, PREVIEW_LIMIT)
    counts: Counter[str] = Counter()
    for post, score in rows:
        decision = route_stored(post, score, now, policy)
        counts["posts"] += 1
        counts[decision.band if decision.queue else "ignore"] += 1
        counts["reduce_reach"] += int(decision.reduce_reach)
        # what the triage signals did, so an admin sees why a threshold moves the counts
        counts["claim_matched"] += int(decision.claim_id is not None)
        counts["not_checkworthy"] += int(decision.rule == "not_checkworthy")
        counts[UNSUPPORTED_LANGUAGE] += int(decision.triage_band == UNSUPPORTED_LANGUAGE)
    result = {
        "posts": 0,
        "ignore": 0,
        "review": 0,
        "urgent": 0,
        "reduce_reach": 0,
        "claim_matched": 0,
        "not_checkworthy": 0,
        UNSUPPORTED_LANGUAGE: 0,
    }
    result.update(counts)
    result["to_review"] = result["review"] + result["urgent"]
    return result
