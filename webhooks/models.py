"""Webhook subscriptions (where to send what) and deliveries (the log of every send)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base, NewId
from core.types import UtcDateTime, WrittenAt


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its first or next attempt
    DELIVERED = "delivered"
    FAILED = "failed"  # attempts exhausted or a permanent refusal; an admin can replay it


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[NewId]
    url: Mapped[str] = mapped_column(String(2048))
    # Kept readable: it signs every delivery. Shown to the platform once, at registration.
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation the old secret also signs, until it expires (receivers switch over).
    previous_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    events: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(128))
    # The API key that registered it: only that key sees and changes it. None (an admin's,
    # or registered before owners were kept) is visible to admins only.
    owner_key_id: Mapped[str | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[WrittenAt]

    def signing_secrets(self, now: datetime) -> list[str]:
        """The current secret, then the previous one while its grace period lasts."""
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and expires > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[NewId]
    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(32), index=True)  # the same for every subscriber
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[WrittenAt]
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
