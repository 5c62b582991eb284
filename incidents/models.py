"""Incidents (narratives), the posts observed for each narrative key, clocks, notifications,
lessons and the versioned response plan."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base
from core.types import UtcDateTime
from incidents.severity import GENERAL_TOPIC


def _id() -> str:
    return uuid.uuid4().hex


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    CONTAINED = "contained"
    CLOSED = "closed"


class ClockStatus(enum.StrEnum):
    RUNNING = "running"
    MET = "met"
    MISSED = "missed"


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_id)
    key: Mapped[str] = mapped_column(String(160), index=True)  # claim:<id> or dup:<post id>
    title: Mapped[str] = mapped_column(String(300))
    claim_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=IncidentStatus.OPEN, index=True)
    grade: Mapped[int] = mapped_column(Integer)  # 1 = I particularly serious … 4 = IV ordinary
    grade_locked: Mapped[bool] = mapped_column(Boolean, default=False)  # set by an admin
    topic: Mapped[str] = mapped_column(String(32), default=GENERAL_TOPIC)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    reach: Mapped[int] = mapped_column(Integer, default=0)
    velocity: Mapped[float] = mapped_column(default=0.0)  # reach per hour over the window
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    surge: Mapped[bool] = mapped_column(Boolean, default=False)
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    contained_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class NarrativePost(Base):
    """A post seen under a narrative key; linked to the incident once one opens for the key."""

    __tablename__ = "narrative_posts"
    __table_args__ = (Index("ix_narrative_posts_key_post", "key", "post_id", unique=True),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_id)
    key: Mapped[str] = mapped_column(String(160), index=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[str | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), nullable=True, index=True
    )
    reach: Mapped[int] = mapped_column(Integer, default=0)
    region: Mapped[str | None] = mapped_column(String(16), nullable=True)
    similarity: Mapped[float | None] = mapped_column(nullable=True)
    surged: Mapped[bool] = mapped_column(Boolean, default=False)
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    observed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class PostShingleBand(Base):
    """MinHash LSH bands of a post's text, to find near-duplicates by equal band hashes."""

    __tablename__ = "post_shingle_bands"
    __table_args__ = (Index("ix_post_shingle_bands_band", "band"),)

    post_id: Mapped[str] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(160))
    observed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class IncidentClock(Base):
    __tablename__ = "incident_clocks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_id)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    milestone: Mapped[str] = mapped_column(String(32))  # what stops the clock
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default=ClockStatus.RUNNING)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class IncidentMilestone(Base):
    """A step of the plan taken for an incident: internal report, public statement, …"""

    __tablename__ = "incident_milestones"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_id)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ResponseGroup(Base):
    """Where a role's responders are told about incidents: a signed webhook."""

    __tablename__ = "response_groups"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_id)
    role: Mapped[str] = mapped_column(String(32), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(128))
    min_grade: Mapped[int] = mapped_column(Integer, default=4)  # notify at this grade or worse
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Notification(Base):
    """Outbox of webhook deliveries: written with the change, sent after commit, retried."""

    __tablename__ = "incident_notifications"
    __table_args__ = (Index("ix_incident_notifications_due", "sent_at", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_id)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    group_id: Mapped[str] = mapped_column(ForeignKey("response_groups.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Added by 0602: when the next try is due (None: at once). A failure sets it from the
    # retry policy's backoff and the group's Retry-After; a round sends only due rows.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Lesson(Base):
    __tablename__ = "incident_lessons"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_id)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(128))
    plan_version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # adopted in
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ScanCursor(Base):
    """How far the detection scan has read the stream of scored posts."""

    __tablename__ = "incident_scan_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    post_id: Mapped[str] = mapped_column(String(128))


class ResponsePlan(Base):
    """The emergency response plan, one row per version; the newest is in force."""

    __tablename__ = "response_plans"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[str] = mapped_column(Text)
    change_note: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
