"""Requesting changes on the platform: actions, their undo (appeals, restorations), dead letters.

Every request is a row first (the system of record) and a task after commit; the idempotency
key is derived from what caused the action, so asking twice never acts twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from audit.events import Action, Subject
from audit.service import record
from core.actors import Actor
from core.db import get_or_not_found
from core.dispatch import enqueue_after_commit
from core.errors import Conflict, Invalid
from core.messages import Msg
from pipeline.models import ActionStatus, EnforcementAction, Post
from pipeline.repository.actions import action_by_key, live_actions_of
from pipeline.repository.decisions import posts_decided_for_claim

EXECUTE_TASK = "pipeline.execute_action"
UNDO = "undo"
UNDOABLE = ("remove", "label", "reduce_reach", "geo_restrict")


def request_action(
    session: Session,
    post: Post,
    action: str,
    params: dict[str, Any],
    idempotency_key: str,
    actor: Actor,
    *,
    decision_id: str | None = None,
    case_id: str | None = None,
    undoes_id: str | None = None,
    reason: str | None = None,
) -> EnforcementAction:
    existing = action_by_key(session, idempotency_key)
    if existing is not None:
        return existing
    row = EnforcementAction(
        decision_id=decision_id,
        post_id=post.id,
        action=action,
        params=params,
        idempotency_key=idempotency_key,
        undoes_id=undoes_id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        Action.ENFORCEMENT_REQUESTED,
        actor,
        Subject(post_id=post.id, case_id=case_id, action_id=row.id),
        reason=reason,
        after={"action": action, "idempotency_key": idempotency_key, "params": params},
        is_drill=post.is_drill,
    )
    enqueue_after_commit(session, EXECUTE_TASK, row.id)
    return row


def request_undo(
    session: Session, original: EnforcementAction, actor: Actor, reason: str
) -> EnforcementAction | None:
    """Undo one action on the platform; None when there is nothing to undo. An undo of an
    action still being sent waits for it (`enforcement.execute_action`), so the platform
    sees the action, then its undo."""
    if original.action not in UNDOABLE or original.status == ActionStatus.CANCELLED:
        return None
    if original.status == ActionStatus.DEAD:
        original.status = ActionStatus.CANCELLED  # no admin should retry it after this
    post = session.get(Post, original.post_id)
    assert post is not None
    params = {
        "undoes": original.action,
        "undoes_action_id": original.id,
        "undoes_idempotency_key": original.idempotency_key,
        "reason": reason,
    }
    return request_action(
        session,
        post,
        UNDO,
        params,
        f"undo-{original.id}",
        actor,
        undoes_id=original.id,
        reason=reason,
    )


def live_actions(session: Session, post_id: str) -> list[EnforcementAction]:
    """Actions on a post that took, may have taken or are about to take effect, not yet undone."""
    return live_actions_of(session, post_id, UNDOABLE)


def restore_post(
    session: Session, post_id: str, actor: Actor, reason: str, *, claim_id: str | None = None
) -> list[EnforcementAction]:
    """Undo every live action on a post; the post becomes `restored` once the platform confirms."""
    if not reason.strip():
        raise Invalid(Msg("a restoration needs a reason"), code="reason_required")
    post = get_or_not_found(
        session, Post, post_id, Msg("post {post_id} is unknown", post_id=post_id), for_update=True
    )
    undos = [
        u for a in live_actions(session, post_id) if (u := request_undo(session, a, actor, reason))
    ]
    if undos:
        record(
            session,
            Action.POST_RESTORED,
            actor,
            Subject(post_id=post_id, claim_id=claim_id),
            reason=reason,
            before={"post_status": post.status},
            after={"undo_actions": [u.id for u in undos]},
            is_drill=post.is_drill,
        )
    return undos


@dataclass
class BulkRestore:
    posts: list[str] = field(default_factory=list)  # posts with undo actions requested
    unchanged: list[str] = field(default_factory=list)  # nothing live to undo


def bulk_restore(
    session: Session,
    actor: Actor,
    reason: str,
    *,
    post_ids: Iterable[str] = (),
    claim_id: str | None = None,
) -> BulkRestore:
    """Restore a list of posts, or all posts actioned for a claim whose verdict changed."""
    targets = list(dict.fromkeys(post_ids))
    if claim_id:
        targets += [
            p for p in posts_decided_for_claim(session, claim_id, UNDOABLE) if p not in targets
        ]
    if not targets:
        raise Invalid(
            Msg("give post_ids or a claim_id with actioned posts"), code="nothing_to_restore"
        )
    result = BulkRestore()
    for post_id in targets:
        undos = restore_post(session, post_id, actor, reason, claim_id=claim_id)
        (result.posts if undos else result.unchanged).append(post_id)
    return result


def retry_dead(session: Session, action_id: str, actor: Actor) -> EnforcementAction:
    missing = Msg("enforcement action {action_id} does not exist", action_id=action_id)
    action = get_or_not_found(session, EnforcementAction, action_id, missing, for_update=True)
    if action.status != ActionStatus.DEAD:
        raise Conflict(
            Msg(
                "action {action_id} is {status}, only dead actions can be retried",
                action_id=action_id,
                status=action.status,
            ),
            code="not_dead",
        )
    before = {"status": action.status, "attempts": action.attempts, "error": action.last_error}
    action.status = ActionStatus.PENDING
    action.attempts = 0
    action.next_attempt_at = None
    record(
        session,
        Action.ENFORCEMENT_RETRIED,
        actor,
        Subject(post_id=action.post_id, action_id=action.id),
        before=before,
        after={"status": action.status},
    )
    enqueue_after_commit(session, EXECUTE_TASK, action.id)
    return action
