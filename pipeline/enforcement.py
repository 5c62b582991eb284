"""Executing enforcement actions on the platform: once, retried when transient, never dropped."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.clock import utcnow
from core.db import transaction
from core.retry import RetryPolicy, attempt_lease, countdown, early_by
from core.settings import PlatformSettings
from pipeline import hooks
from pipeline.models import ActionStatus, EnforcementAction, Post, PostStatus
from pipeline.platform_client import (
    EnforcementRequest,
    PermanentPlatformError,
    PlatformClient,
    TransientPlatformError,
)
from pipeline.repository.actions import live_actions_of

log = logging.getLogger(__name__)
_ENFORCER = Actor.system("enforcer")
_POST_STATUS = {
    "remove": PostStatus.REMOVED,
    "label": PostStatus.LABELLED,
    "undo": PostStatus.RESTORED,
    "unlabel": PostStatus.RESTORED,  # a withdrawn statement's label came off
}
RETRY_BASE_SECONDS = 2.0
RETRY_MAX_SECONDS = 300.0


def retry_policy(max_attempts: int) -> RetryPolicy:
    return RetryPolicy(max_attempts, RETRY_BASE_SECONDS, max_backoff_seconds=RETRY_MAX_SECONDS)


@dataclass(frozen=True)
class Outcome:
    status: str  # confirmed | retry | dead | skipped
    detail: str = ""
    retry_in: float = 0.0  # for "retry": the countdown to the next run (bounded for the broker)


DEFAULT_LEASE_SECONDS = attempt_lease(PlatformSettings().timeout)


def execute_action(
    factory: sessionmaker[Session],
    action_id: str,
    client: PlatformClient,
    *,
    max_attempts: int,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> Outcome:
    """Send one action. The idempotency key makes a redelivered task harmless on the platform.

    An attempt holds the action for `lease_seconds` (its `next_attempt_at`), so a redelivered
    task or the sweep waits for it instead of sending the action again; its result settles the
    action only if no other attempt has (`_confirmed`, `_failed`).
    """
    with transaction(factory) as session:
        started = _start(session, action_id, lease_seconds)
        if isinstance(started, Outcome):
            return started
        request, attempt = started
    try:
        reference = client.enforce(request)
    except TransientPlatformError as exc:
        return _failed(factory, action_id, attempt, exc, retry_policy(max_attempts))
    except PermanentPlatformError as exc:
        return _failed(factory, action_id, attempt, exc, retry_policy(max_attempts))
    return _confirmed(factory, action_id, reference)


def _start(
    session: Session, action_id: str, lease_seconds: float
) -> Outcome | tuple[EnforcementRequest, int]:
    """Take the action for one attempt (its request and number), or why not now."""
    action = _locked(session, action_id)
    if action is None or action.status != ActionStatus.PENDING:
        return Outcome("skipped", "missing or already done")
    if action.attempts and (wait := early_by(action.next_attempt_at, utcnow())):
        # Woken before a failed attempt's (maybe long, Retry-After) wait ran out, or while
        # another attempt holds its lease: hop again.
        return Outcome("retry", "not due yet", countdown(wait))
    original = session.get(EnforcementAction, action.undoes_id) if action.undoes_id else None
    if original is not None and original.status == ActionStatus.PENDING:
        # Undo after the action it undoes, never before; not an attempt.
        action.next_attempt_at = utcnow() + timedelta(seconds=RETRY_BASE_SECONDS)
        return Outcome(
            "retry", f"waiting for action {original.id} to be sent first", RETRY_BASE_SECONDS
        )
    if original is not None and original.status == ActionStatus.DEAD:
        original.status = ActionStatus.CANCELLED  # undone: no admin should retry it now
    action.attempts += 1
    action.next_attempt_at = utcnow() + timedelta(seconds=lease_seconds)  # the attempt's lease
    target = session.get(Post, action.post_id)
    request = EnforcementRequest(
        action.id,
        action.post_id,
        action.action,
        dict(action.params),
        action.idempotency_key,
        is_drill=bool(target and target.is_drill),
    )
    return request, action.attempts


def _locked(session: Session, action_id: str) -> EnforcementAction | None:
    return session.get(EnforcementAction, action_id, with_for_update=True)


def _confirmed(factory: sessionmaker[Session], action_id: str, reference: str) -> Outcome:
    """The platform carried the action out: confirm it, unless another attempt did or it was
    cancelled meanwhile. A dead letter is confirmed too: the platform acted after all."""
    with transaction(factory) as session:
        action = _locked(session, action_id)
        assert action is not None
        if action.status not in (ActionStatus.PENDING, ActionStatus.DEAD):
            return Outcome("skipped", f"{action.status} by a concurrent run")
        before_status = action.status
        action.status = ActionStatus.CONFIRMED
        action.next_attempt_at = None
        action.confirmed_at = utcnow()
        action.platform_reference = reference
        post = session.get(Post, action.post_id)
        before = post.status if post else None
        if post is not None and action.action in _POST_STATUS:
            post.status = _post_status_after(session, action)
        record(
            session,
            Action.ENFORCEMENT_CONFIRMED,
            _ENFORCER,
            Subject(post_id=action.post_id, action_id=action.id),
            before={"action_status": before_status, "post_status": before},
            after={
                "action": action.action,
                "action_status": action.status,
                "reference": reference,
                "post_status": post.status if post else None,
            },
            is_drill=bool(post and post.is_drill),
        )
        if action.action == "label":
            _record_label(session, action, bool(post and post.is_drill))
        hooks.enforcement_confirmed(session, action, post)
    return Outcome("confirmed", reference)


def _post_status_after(session: Session, action: EnforcementAction) -> PostStatus:
    """What a confirmed action makes its post. An undo restores the post only when no other
    confirmed removal or label still holds it: a correction's new action may be confirmed
    before the old action's undo, and the post must not then read `restored`."""
    status = _POST_STATUS[action.action]
    if status is not PostStatus.RESTORED:
        return status
    holding = [
        a
        for a in live_actions_of(session, action.post_id, ("remove", "label"))
        if a.status == ActionStatus.CONFIRMED
    ]
    return _POST_STATUS[holding[-1].action] if holding else status


def _record_label(session: Session, action: EnforcementAction, is_drill: bool) -> None:
    """A label now shows on the post: the event reports and statements of reasons count.

    A label from a reviewer's decision carries its decision (its statement of reasons comes
    from the decision); one from a published counter-statement repeats a debunked claim.
    """
    statement_id = action.params.get("statement_id")
    record(
        session,
        Action.POST_LABELLED,
        _ENFORCER,
        Subject(
            post_id=action.post_id,
            action_id=action.id,
            statement_id=str(statement_id) if statement_id else None,
        ),
        reason=f"statement {statement_id} label" if statement_id else "decision label",
        after={
            "action": action.action,
            "decision_id": action.decision_id,
            "reason_code": "false_claim" if statement_id else None,
        },
        is_drill=is_drill,
    )


def _failed(
    factory: sessionmaker[Session],
    action_id: str,
    attempt: int,
    exc: TransientPlatformError | PermanentPlatformError,
    policy: RetryPolicy,
) -> Outcome:
    """Attempt `attempt` failed: retry or dead-letter, unless a later attempt started or the
    action was settled meanwhile (then this late result changes nothing)."""
    error, delay = str(exc), 0.0
    with transaction(factory) as session:
        action = _locked(session, action_id)
        assert action is not None
        if action.status != ActionStatus.PENDING or action.attempts != attempt:
            log.info(
                "enforcement %s attempt %d failed late (%s): ignored", action_id, attempt, error
            )
            return Outcome("skipped", f"attempt {attempt} overtaken ({action.status})")
        action.last_error = error
        transient = isinstance(exc, TransientPlatformError)
        dead = policy.gives_up(action.attempts, transient=transient)
        if dead:
            action.status = ActionStatus.DEAD
            action.next_attempt_at = None
        else:
            retry_after = exc.retry_after if isinstance(exc, TransientPlatformError) else None
            delay = policy.delay(action.attempts, retry_after)
            action.next_attempt_at = utcnow() + timedelta(seconds=delay)
        record(
            session,
            Action.ENFORCEMENT_DEAD_LETTERED if dead else Action.ENFORCEMENT_FAILED,
            _ENFORCER,
            Subject(post_id=action.post_id, action_id=action.id),
            reason=error,
            after={"attempts": action.attempts, "status": action.status},
        )
    log.warning("enforcement %s failed (attempt error: %s); dead=%s", action_id, error, dead)
    return Outcome("dead", error) if dead else Outcome("retry", error, countdown(delay))
