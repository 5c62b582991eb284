"""The review queue: open cases from routed posts, claim with a lease, release, skip, escalate.

Claiming uses `FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent reviewers never get the
same case; SQLite serialises writers, which gives the same guarantee in the embedded default.
A claim walks the partial index `ix_review_cases_claimable` in priority order, within one
namespace: real reviewers only ever see real cases, drills only drill cases. Expired leases
are first returned to the queue (a small, indexed set), so the claim itself stays one index scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import ColumnElement, TextClause, or_, text
from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor, ActorType
from core.clock import utcnow
from core.db import get_or_not_found, lock_for_transaction
from core.errors import Conflict, Invalid
from core.messages import Msg
from core.topics import topic_of
from pipeline.actions import request_action
from pipeline.appeals import check_appeal_decider, not_own_appeal
from pipeline.models import (
    WAITING_SQL,
    CaseStage,
    CaseStatus,
    Post,
    PostStatus,
    ReviewCase,
)
from pipeline.repository import latest_score
from pipeline.repository.cases import (
    cooling_down,
    lease_extensions_used,
    lock_expired_leases,
    lock_next_case,
    routed_case_of_post,
    start_cooldown,
)
from pipeline.repository.posts import post_is_drill
from pipeline.routing import RoutingPolicy, route_stored

DEFAULT_LEASE = timedelta(minutes=10)
SKIP_COOLDOWN = timedelta(minutes=30)
# A released case is not offered straight back to whoever released it (they would get it
# again at once: it is still the highest priority); others may take it at once.
RELEASE_COOLDOWN = timedelta(minutes=5)
# A lease may be extended by DEFAULT_LEASE at a time, up to this many times per claim.
MAX_EXTENSIONS = 3
GENERAL_REVIEWERS = frozenset({"reviewer", "senior_reviewer"})
ESCALATION_TARGETS = frozenset({"senior_reviewer", "legal"})
WAITING_STATUS = {
    CaseStage.REVIEW: CaseStatus.OPEN,
    CaseStage.SECOND: CaseStatus.AWAITING_SECOND,
    CaseStage.ESCALATED: CaseStatus.ESCALATED,
    CaseStage.APPEAL: CaseStatus.ESCALATED,
    CaseStage.QA: CaseStatus.AWAITING_SECOND,
}
BLIND_STAGES = (CaseStage.SECOND, CaseStage.QA)  # never offered to the first reviewer


@dataclass(frozen=True)
class QueueFilter:
    lang: str | None = None
    topic: str | None = None
    incident_id: str | None = None
    # Drills are a namespace of their own: a claim reads real cases or drill cases, never both.
    drill: bool = False


def open_case_for_post(
    session: Session,
    post_id: str,
    policy: RoutingPolicy,
    now: datetime | None = None,
    *,
    topic: str | None = None,
    incident_id: str | None = None,
) -> ReviewCase | None:
    """Route one scored post; returns its case (new or the one routing opened before, waiting or
    decided) or None when it is not queued."""
    now = now or utcnow()
    # One router per post at a time makes "already routed?" and the insert one step: the sweeper
    # re-sends a route task that waited too long, and two workers routing one post at once each
    # saw no case and opened one. (A row lock on the post deadlocked with logged writes.)
    lock_for_transaction(session, "route", post_id)
    post = session.get(Post, post_id)
    if post is None:
        return None  # deleted since; nothing to do
    routed = routed_case_of_post(session, post_id)
    if routed is not None or post.status != PostStatus.SCORED:
        # Already routed (a redelivered task, the sweeper's re-send): its case may wait or be
        # decided, and a decided post is never queued (and taken down) again.
        return routed
    score = latest_score(session, post_id)
    if score is None:
        return None
    system = Actor.system("router")
    decision = route_stored(post, score, now, policy)
    record(
        session,
        Action.POST_ROUTED,
        system,
        Subject(post_id=post_id, claim_id=decision.claim_id),
        policy_version=policy.version,
        model_version=score.model_version,
        score=score.score,
        after={
            "queue": decision.queue,
            "band": decision.band,
            "model_band": score.band,
            "triage_band": decision.triage_band,
            "rule": decision.rule,
            "priority": decision.priority,
            "reduce_reach": decision.reduce_reach,
        },
        is_drill=post.is_drill,
    )
    if not decision.queue or decision.due_at is None:
        return None
    case = ReviewCase(
        post_id=post_id,
        band=decision.band,
        priority=decision.priority,
        status=CaseStatus.OPEN,
        stage=CaseStage.REVIEW,
        policy_version=policy.version,
        due_at=decision.due_at,
        lang=post.lang,
        # The shared taxonomy, so queue filters and incident grades agree.
        topic=topic or topic_of(post.text),
        incident_id=incident_id,
        claim_id=decision.claim_id,
        is_drill=post.is_drill,
    )
    session.add(case)
    session.flush()
    before_status = post.status
    post.status = PostStatus.QUEUED
    record(
        session,
        Action.CASE_QUEUED,
        system,
        Subject(post_id=post_id, case_id=case.id, incident_id=incident_id),
        policy_version=policy.version,
        before={"post_status": before_status},
        after={
            "case_status": case.status,
            "priority": case.priority,
            "due_at": case.due_at.isoformat(),
        },
        is_drill=post.is_drill,
    )
    if decision.reduce_reach:
        request_action(
            session,
            post,
            "reduce_reach",
            {"temporary": True, "pending_case": case.id, "policy_version": policy.version},
            f"pending-review-{case.id}",
            system,
            case_id=case.id,
            reason="near-certain match, reach reduced pending review",
        )
    return case


def expire_leases(session: Session, now: datetime | None = None, limit: int = 100) -> int:
    """Return cases whose lease ran out to the queue they came from."""
    now = now or utcnow()
    expired = lock_expired_leases(session, now, limit)
    for case in expired:
        holder = case.claimed_by
        _return_to_queue(case)
        case_event(
            session,
            Action.CASE_LEASE_EXPIRED,
            Actor.system("queue"),
            case,
            before={"status": CaseStatus.CLAIMED.value, "claimed_by": holder},
            after={"status": case.status},
        )
    return len(expired)


def _hand_to(case: ReviewCase, reviewer: str, until: datetime) -> None:
    case.status = CaseStatus.CLAIMED
    case.claimed_by = reviewer
    case.lease_expires_at = until


def _return_to_queue(case: ReviewCase) -> None:
    case.status = WAITING_STATUS[CaseStage(case.stage)]
    case.claimed_by = None
    case.lease_expires_at = None


def _eligible(actor: Actor, now: datetime) -> list[ColumnElement[bool] | TextClause]:
    roles = list(actor.roles)
    role_rule: ColumnElement[bool] = ReviewCase.required_role.in_(roles)
    if GENERAL_REVIEWERS.intersection(roles):
        role_rule = or_(ReviewCase.required_role.is_(None), role_rule)
    return [
        text(WAITING_SQL),  # spelled like the partial index's predicate, so it is used
        role_rule,
        ~cooling_down(actor.name, now),
        or_(ReviewCase.stage.not_in(BLIND_STAGES), ReviewCase.first_reviewer != actor.name),
        not_own_appeal(actor.name),
    ]


def check_blind_reviewer(case: ReviewCase, reviewer: str) -> None:
    """A second review or a QA sample is never given to, or answered by, whoever made the
    decision it reviews (claim_next never offers it to them: `_eligible`)."""
    if case.stage not in BLIND_STAGES or case.first_reviewer != reviewer:
        return
    if case.stage == CaseStage.QA:
        refusal = Msg("a QA sample is never reviewed by the reviewer whose decision it samples")
    else:
        refusal = Msg("the second reviewer must differ from the first")
    raise Conflict(refusal, code="same_reviewer")


def claim_next(
    session: Session,
    actor: Actor,
    *,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
    filters: QueueFilter | None = None,
) -> ReviewCase | None:
    """Give the reviewer the highest-priority case they may take (or None)."""
    now = now or utcnow()
    expire_leases(session, now)
    filters = filters or QueueFilter()
    conditions = [*_eligible(actor, now), ReviewCase.is_drill == filters.drill]
    if filters.lang:
        conditions.append(ReviewCase.lang == filters.lang)
    if filters.topic:
        conditions.append(ReviewCase.topic == filters.topic)
    if filters.incident_id:
        conditions.append(ReviewCase.incident_id == filters.incident_id)
    case = lock_next_case(session, conditions)
    if case is None:
        return None
    before = {"status": case.status, "stage": case.stage}
    until = now + lease
    _hand_to(case, actor.name, until)
    after = {"status": case.status, "lease_expires_at": until.isoformat()}
    case_event(session, Action.CASE_CLAIMED, actor, case, before=before, after=after)
    return case


def _lock_undecided(session: Session, case_id: str) -> ReviewCase:
    """The case, locked, if it exists and is not decided yet; otherwise a clear refusal."""
    missing = Msg("case {case_id} does not exist", case_id=case_id)
    case = get_or_not_found(session, ReviewCase, case_id, missing, for_update=True)
    if case.status == CaseStatus.DECIDED:
        raise Conflict(
            Msg("case {case_id} is already decided", case_id=case_id), code="case_decided"
        )
    return case


def _refuse_drill_case(case: ReviewCase) -> NoReturn:
    raise Conflict(
        Msg(
            "case {case_id} belongs to a drill: only the drill's own reviewers work it",
            case_id=case.id,
        ),
        code="drill_case",
    )


def held_case(
    session: Session, case_id: str, actor: Actor, now: datetime | None = None
) -> ReviewCase:
    """The case, if this reviewer holds a live lease on it; otherwise a clear refusal. A drill
    case is worked only by a drill's simulated reviewers (platform actors,
    `incidents.drill_queue`): a person never decides, releases or skips one."""
    now = now or utcnow()
    case = _lock_undecided(session, case_id)
    if case.is_drill and actor.type is not ActorType.PLATFORM:
        _refuse_drill_case(case)
    if (
        case.status != CaseStatus.CLAIMED
        or case.claimed_by != actor.name
        or case.lease_expires_at is None
        or case.lease_expires_at < now
    ):
        raise Conflict(
            Msg("you do not hold a live lease on case {case_id}", case_id=case_id),
            code="lease_not_held",
        )
    return case


def _put_back(
    session: Session,
    case_id: str,
    actor: Actor,
    action: Action,
    *,
    cooldown: timedelta,
    reason: str | None = None,
) -> ReviewCase:
    """Return the held case to the queue and log `action`; the holder is not offered it again
    for `cooldown` (release and skip both start one: one rule in claim_next)."""
    now = utcnow()
    case = held_case(session, case_id, actor, now)
    _return_to_queue(case)
    until = now + cooldown
    start_cooldown(session, case.id, actor.name, until)
    before = {"status": CaseStatus.CLAIMED.value, "claimed_by": actor.name}
    after = {"status": case.status, "skip_until": until.isoformat()}
    case_event(session, action, actor, case, reason=reason, before=before, after=after)
    return case


def release(session: Session, case_id: str, actor: Actor) -> ReviewCase:
    return _put_back(session, case_id, actor, Action.CASE_RELEASED, cooldown=RELEASE_COOLDOWN)


def extend_lease(session: Session, case_id: str, actor: Actor) -> ReviewCase:
    """Give the holder DEFAULT_LEASE more from now, at most MAX_EXTENSIONS times per claim
    (logged)."""
    now = utcnow()
    case = held_case(session, case_id, actor, now)
    used = lease_extensions_used(session, case.id, actor.name)
    if used >= MAX_EXTENSIONS:
        raise Conflict(
            Msg(
                "the lease was extended {max_extensions} times already: decide, escalate or release",
                max_extensions=MAX_EXTENSIONS,
            ),
            code="lease_extension_limit",
        )
    before = case.lease_expires_at
    assert before is not None  # held_case checked it
    case.lease_expires_at = max(before, now + DEFAULT_LEASE)
    case_event(
        session,
        Action.CASE_LEASE_EXTENDED,
        actor,
        case,
        before={"lease_expires_at": before.isoformat()},
        after={
            "lease_expires_at": case.lease_expires_at.isoformat(),
            "extension": used + 1,
        },
    )
    return case


def skip(session: Session, case_id: str, actor: Actor, reason: str = "") -> ReviewCase:
    """Put the case back; the same reviewer is not offered it again for SKIP_COOLDOWN."""
    return _put_back(
        session, case_id, actor, Action.CASE_SKIPPED, cooldown=SKIP_COOLDOWN, reason=reason or None
    )


def escalate(
    session: Session, case_id: str, actor: Actor, target_role: str, reason: str
) -> ReviewCase:
    """Hand a held case to senior reviewers or legal: only that role can claim it next."""
    if target_role not in ESCALATION_TARGETS:
        raise Invalid(
            Msg(
                "escalate to one of {choices}, not '{target_role}'",
                choices=sorted(ESCALATION_TARGETS),
                target_role=target_role,
            ),
            code="bad_escalation_target",
        )
    case = held_case(session, case_id, actor)
    if case.stage == CaseStage.QA:  # a QA verdict changes nothing, so there is nothing to hand on
        raise Conflict(
            Msg("a QA sample is not escalated: give your verdict or release it"), code="qa_case"
        )
    return escalate_case(session, case, actor, target_role, reason)


def escalate_case(
    session: Session, case: ReviewCase, actor: Actor, target_role: str, reason: str
) -> ReviewCase:
    before = {"status": case.status, "stage": case.stage, "required_role": case.required_role}
    case.stage = CaseStage.ESCALATED
    case.required_role = target_role
    _return_to_queue(case)
    case_event(
        session,
        Action.CASE_ESCALATED,
        actor,
        case,
        reason=reason or None,
        before=before,
        after={"status": case.status, "required_role": target_role},
    )
    return case


def reassign(
    session: Session, case_id: str, actor: Actor, to_reviewer: str, to_roles: tuple[str, ...]
) -> ReviewCase:
    """Give a waiting or claimed case to a named reviewer (senior reviewers and admins do this).
    The reviewer is a person, so never a drill case: a drill's own reviewers claim those."""
    case = _lock_undecided(session, case_id)
    if case.is_drill:
        _refuse_drill_case(case)
    allowed = {case.required_role} if case.required_role else set(GENERAL_REVIEWERS)
    if not allowed.intersection(to_roles):
        raise Conflict(
            Msg(
                "{to_reviewer} cannot take this case: it needs one of {roles}",
                to_reviewer=to_reviewer,
                roles=sorted(allowed),
            ),
            code="wrong_role",
        )
    check_blind_reviewer(case, to_reviewer)
    check_appeal_decider(session, case, to_reviewer)
    before = {"status": case.status, "claimed_by": case.claimed_by}
    _hand_to(case, to_reviewer, utcnow() + DEFAULT_LEASE)
    after = {"status": case.status, "claimed_by": to_reviewer}
    case_event(session, Action.CASE_REASSIGNED, actor, case, before=before, after=after)
    return case


def case_event(
    session: Session,
    action: Action,
    actor: Actor,
    case: ReviewCase,
    *,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Log an event about the case; events about drill posts carry the flag, so drills stay out
    of metrics and exports."""
    record(
        session,
        action,
        actor,
        Subject(post_id=case.post_id, case_id=case.id),
        reason=reason,
        before=before,
        after=after,
        is_drill=post_is_drill(session, case.post_id),
    )
