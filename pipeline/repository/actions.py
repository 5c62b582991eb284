"""Enforcement actions as the pipeline reads them: one by idempotency key, the live ones on a
post, the dead letters, and the pending ones whose task may be lost."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pipeline.models import ActionStatus, EnforcementAction


def action_by_key(session: Session, idempotency_key: str) -> EnforcementAction | None:
    return session.scalars(
        select(EnforcementAction).where(EnforcementAction.idempotency_key == idempotency_key)
    ).first()


def live_actions_of(
    session: Session, post_id: str, kinds: Collection[str]
) -> list[EnforcementAction]:
    """The post's actions of `kinds` that are pending, confirmed or dead and not undone, oldest
    first."""
    undone = select(EnforcementAction.undoes_id).where(EnforcementAction.undoes_id.is_not(None))
    return list(
        session.scalars(
            select(EnforcementAction)
            .where(
                EnforcementAction.post_id == post_id,
                EnforcementAction.action.in_(kinds),
                EnforcementAction.status.in_(
                    [ActionStatus.PENDING, ActionStatus.CONFIRMED, ActionStatus.DEAD]
                ),
                EnforcementAction.id.not_in(undone),
            )
            .order_by(EnforcementAction.created_at)
        )
    )


def dead_letters(session: Session, limit: int = 100) -> list[EnforcementAction]:
    return list(
        session.scalars(
            select(EnforcementAction)
            .where(EnforcementAction.status == ActionStatus.DEAD)
            .order_by(EnforcementAction.created_at)
            .limit(limit)
        )
    )


def stale_pending_action_ids(session: Session, cutoff: datetime, limit: int) -> list[str]:
    """Pending actions created before `cutoff` and not waiting out a retry backoff or an
    attempt's lease (`enforcement.execute_action`) past it."""
    return list(
        session.scalars(
            select(EnforcementAction.id)
            .where(
                EnforcementAction.status == ActionStatus.PENDING,
                EnforcementAction.created_at < cutoff,
                # one waiting out its backoff is not lost, only early; one in flight holds its lease
                or_(
                    EnforcementAction.next_attempt_at.is_(None),
                    EnforcementAction.next_attempt_at < cutoff,
                ),
            )
            .limit(limit)
        )
    )


def dead_letter_count(session: Session) -> int:
    """Takedowns whose retries are spent, waiting for an admin (`dead_letters`)."""
    dead = EnforcementAction.status == ActionStatus.DEAD
    return session.scalar(select(func.count()).where(dead)) or 0
