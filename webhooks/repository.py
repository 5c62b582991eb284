"""Queries on the webhook tables: subscriptions and the delivery log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from webhooks.models import WebhookDelivery, WebhookSubscription


def subscriptions_newest_first(session: Session) -> Sequence[WebhookSubscription]:
    return session.scalars(
        select(WebhookSubscription).order_by(WebhookSubscription.created_at.desc())
    ).all()


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
