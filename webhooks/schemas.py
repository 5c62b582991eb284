"""Webhook event types and the shapes of the webhook routes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.web_schemas import StrictIn


class EventType(enum.StrEnum):
    DECISION_MADE = "decision.made"
    ENFORCEMENT_CONFIRMED = "enforcement.confirmed"  # a removal, label, … took effect
    POST_RESTORED = "post.restored"
    # From the action log (webhooks/hooks.py listens): incidents and public statements.
    INCIDENT_OPENED = "incident.opened"
    INCIDENT_ACTIVATED = "incident.activated"
    INCIDENT_CLOSED = "incident.closed"
    STATEMENT_PUBLISHED = "statement.published"


class SubscriptionIn(StrictIn):
    url: str = Field(min_length=8, max_length=2048, examples=["https://platform.example/hooks"])
    events: list[EventType] = Field(min_length=1, max_length=len(EventType))

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")) or any(c.isspace() for c in value):
            raise ValueError("url must be an http(s) URL without spaces")
        return value


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime


class OwnedSubscriptionOut(SubscriptionOut):
    """What admins see: every subscription with the key that owns it (None: admin-only)."""

    owner_key_id: str | None


class CreatedSubscriptionOut(SubscriptionOut):
    secret: str  # shown once: verify `Veracity-Signature` with it


MAX_GRACE_SECONDS = 7 * 86_400  # a rotated secret signs at most a week longer


class RotateIn(StrictIn):
    # How long the old secret keeps signing too (0: retire it now, e.g. after a leak).
    grace_seconds: int = Field(default=86_400, ge=0, le=MAX_GRACE_SECONDS)


class RotatedOut(BaseModel):
    id: str
    secret: str  # shown once
    previous_secret_valid_until: datetime | None


class DeliveryOut(BaseModel):
    id: str
    subscription_id: str
    event_id: str
    event: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    response_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
