"""Incidents (narratives), the posts observed for each narrative key, clocks, notifications,
lessons and the versioned response plan."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base, NewId, new_id
from core.topics import GENERAL_TOPIC
from core.types import UtcDateTime, WrittenAt


class IncidentStatus(enum.StrEnum):
    """reported -> active | dismissed; active -> contained -> recovered -> closed."""

    REPORTED = "reported"  # awaiting leadership's assessment and activation decision
    ACTIVE = "active"
    OPEN = "active"  # the name before activation existed; the same state
    DISMISSED = "dismissed"
    CONTAINED = "contained"
    RECOVERED = "recovered"
    CLOSED = "closed"


# Not live: no more clocks, tasks or notifications (detection still files posts under them).
FINISHED = (IncidentStatus.DISMISSED, IncidentStatus.CLOSED)


class ClockStatus(enum.StrEnum):
    RUNNING = "running"
    MET = "met"
    MISSED = "missed"
    CANCELLED = "cancelled"  # the incident was dismissed before the deadline


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class IncidentRow:
    """The id and incident of a row that belongs to one incident, looked up by it and deleted
    with it (milestones, tasks, report reviews, attachment links)."""

    # sort_order: first in the table, as when each model declared them (a mixin's come last).
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id, sort_order=-1)
    incident_id: Mapped[str] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True, sort_order=-1
    )


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[NewId]
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
    opened_at: Mapped[WrittenAt]
    contained_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # Added by 0603: the type, what a reporter said, and leadership's decision.
    type: Mapped[str] = mapped_column(String(32), default="misinformation", index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    location: Mapped[str] = mapped_column(String(300), default="")
    scope: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True, default=dict)
    reported_by: Mapped[str | None] = mapped_column(String(128), nullable=True)  # None: machine
    owner: Mapped[str | None] = mapped_column(String(128), nullable=True)  # a username
    decided_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class NarrativePost(Base):
    """A post seen under a narrative key; linked to the incident once one opens for the key."""

    __tablename__ = "narrative_posts"
    __table_args__ = (Index("ix_narrative_posts_key_post", "key", "post_id", unique=True),)

    id: Mapped[NewId]
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


class NarrativeCentroid(Base):
    """A narrative's embedding centroid: the sum of its members' unit vectors, their count and
    when the last one arrived (one row per key, drill or not)."""

    __tablename__ = "narrative_centroids"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    is_drill: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    vector_sum: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian
    members: Mapped[int] = mapped_column(Integer)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class PostShingleBand(Base):
    """MinHash LSH bands of a post's text, to find near-duplicates by equal band hashes."""

    __tablename__ = "post_shingle_bands"
    __table_args__ = (Index("ix_post_shingle_bands_band", "band"),)

    post_id: Mapped[str] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(160))
    observed_at: Mapped[WrittenAt]


class IncidentClock(Base):
    __tablename__ = "incident_clocks"

    id: Mapped[NewId]
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    milestone: Mapped[str] = mapped_column(String(32))  # what stops the clock
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default=ClockStatus.RUNNING)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class IncidentMilestone(IncidentRow, Base):
    """A step of the plan taken for an incident: internal report, public statement, …"""

    __tablename__ = "incident_milestones"

    kind: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[WrittenAt]


class ResponseGroup(Base):
    """One channel where a response group (its kind in `role`) is told about incidents: a
    signed webhook, a Slack-compatible incoming webhook, or e-mail to the group's members."""

    __tablename__ = "response_groups"

    id: Mapped[NewId]
    role: Mapped[str] = mapped_column(String(32), index=True)  # the group: leadership, pr, …
    url: Mapped[str] = mapped_column(String(2048))  # "" for e-mail
    secret: Mapped[str] = mapped_column(String(128))  # "" where the channel signs nothing
    min_grade: Mapped[int] = mapped_column(Integer, default=4)  # notify at this grade or worse
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Added by 0603: webhook (signed JSON), slack (incoming-webhook JSON) or email.
    channel: Mapped[str] = mapped_column(String(16), default="webhook", server_default="webhook")


class ResponseGroupMember(Base):
    """A person in a response group: may work its tasks, and is e-mailed for it."""

    __tablename__ = "response_group_members"
    __table_args__ = (
        Index("ix_response_group_members_group_user", "group", "user_id", unique=True),
    )

    id: Mapped[NewId]
    group: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    added_by: Mapped[str] = mapped_column(String(128))
    added_at: Mapped[WrittenAt]


class IncidentTask(IncidentRow, Base):
    """A task the plan (or a person) gave a group for an incident: assigned, started, done."""

    __tablename__ = "incident_tasks"

    group: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.OPEN)
    assignee: Mapped[str | None] = mapped_column(String(128), nullable=True)  # a username
    milestone: Mapped[str | None] = mapped_column(String(32), nullable=True)  # met when done
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[WrittenAt]
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Notification(Base):
    """Outbox of webhook deliveries: written with the change, sent after commit, retried."""

    __tablename__ = "incident_notifications"
    __table_args__ = (Index("ix_incident_notifications_due", "sent_at", "next_attempt_at"),)

    id: Mapped[NewId]
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    # None (0603) for an e-mail straight to people, such as an incident's owner.
    group_id: Mapped[str | None] = mapped_column(
        ForeignKey("response_groups.id", ondelete="CASCADE"), nullable=True
    )
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    created_at: Mapped[WrittenAt]
    # Added by 0602: when the next try is due (None: at once). A failure sets it from the
    # retry policy's backoff and the group's Retry-After; a round sends only due rows.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Added by 0603: webhook, slack or email; e-mail's addresses are fixed when queued.
    channel: Mapped[str] = mapped_column(String(16), default="webhook", server_default="webhook")
    recipients: Mapped[list[str] | None] = mapped_column(JSON, nullable=True, default=list)


class Lesson(Base):
    """A lesson recorded on an incident; `plan_version` is the response plan that adopted it."""

    __tablename__ = "incident_lessons"

    id: Mapped[NewId]
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(128))
    plan_version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # adopted in
    created_at: Mapped[WrittenAt]


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
    created_at: Mapped[WrittenAt]
