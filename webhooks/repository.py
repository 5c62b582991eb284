"""Queries on the webhook tables: subscriptions and the delivery log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription


def subscriptions_newest_first(session: Session) -> Sequence[WebhookSubscription]:
    return session.scalars(
        select(WebhookSubscription).order_by(WebhookSubscription.created_at.desc())
    ).all()


def subscriptions_oldest_first(
    session: Session, *, owner_key_id: str | None = None
) -> Sequence[WebhookSubscription]:
    """The subscriptions the API key `owner_key_id` registered, or (None) all of them."""
    query = select(WebhookSubscription).order_by(WebhookSubscription.created_at)
    if owner_key_id is not None:
        query = query.where(WebhookSubscription.owner_key_id == owner_key_id)
    return session.scalars(query).all()


def active_subscriptions(session: Session) -> Sequence[WebhookSubscription]:
    return session.scalars(
        select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    ).all()


def subscription(
    session: Session, subscription_id: str, *, for_update: bool = False
) -> WebhookSubscription | None:
    return session.get(WebhookSubscription, subscription_id, with_for_update=for_update)


def due_delivery_ids(session: Session, cutoff: datetime, limit: int) -> list[str]:
    """Pending deliveries whose next attempt is at or before `cutoff`, soonest first."""
    return list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                WebhookDelivery.next_attempt_at <= cutoff,
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        )
    )


def deliveries_newest_first(
    session: Session, *, limit: int, status: str | None = None, event_id: str | None = None
) -> Sequence[WebhookDelivery]:
    """The delivery log, optionally only one status and/or one event."""
    query = select(WebhookDelivery).order_by(WebhookDelivery.created_at.desc()).limit(limit)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if event_id is not None:
        query = query.where(WebhookDelivery.event_id == event_id)
    return session.scalars(query).all()


def delivery(session: Session, delivery_id: str) -> WebhookDelivery | None:
    return session.get(WebhookDelivery, delivery_id)


def failed_delivery_count(session: Session) -> int:
    """Deliveries whose attempts are spent (or were refused for good), waiting for a replay."""
    failed = WebhookDelivery.status == DeliveryStatus.FAILED
    return session.scalar(select(func.count()).where(failed)) or 0
