"""Posts, their scores, review cases, decisions and enforcement actions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base, new_id
from core.outbound_rows import OutboundAttempts
from core.types import UtcDateTime, WrittenAt


class PostStatus(enum.StrEnum):
    SCORED = "scored"
    QUEUED = "queued"
    DECIDED = "decided"
    REMOVED = "removed"
    LABELLED = "labelled"
    RESTORED = "restored"


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    ESCALATED = "escalated"
    AWAITING_SECOND = "awaiting_second"  # a high-reach removal waiting for a second reviewer
    DECIDED = "decided"


class CaseStage(enum.StrEnum):
    """What a case is waiting for; a claimed case returns to its stage's status on release."""

    REVIEW = "review"
    SECOND = "second"
    ESCALATED = "escalated"
    APPEAL = "appeal"
    QA = "qa"  # a decided case drawn for a blind quality re-review (pipeline/qa.py)


WAITING_STATUSES = (CaseStatus.OPEN, CaseStatus.AWAITING_SECOND, CaseStatus.ESCALATED)
# Every case not yet decided: waiting (first review, second review, QA sample, escalation or
# appeal) or held by someone. The queue's depth, its overdue count and the supervise page's
# list all read this one tuple, so they count the same cases.
UNDECIDED_STATUSES = (*WAITING_STATUSES, CaseStatus.CLAIMED)
WAITING_SQL = "status IN ('open', 'awaiting_second', 'escalated')"


class ActionStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DEAD = "dead"  # retries exhausted; an admin can retry it
    CANCELLED = "cancelled"  # undone before the platform ever applied it


class PostRow:
    """The id and post of a row about one post, looked up by it and deleted with it (scores,
    review cases, decisions, enforcement actions)."""

    # sort_order: first in the table, as when each model declared them (a mixin's come last);
    # a model's own column at -1 (a decision's case, an action's decision) stands between them.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id, sort_order=-2)
    post_id: Mapped[str] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True, sort_order=-1
    )


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)  # the platform's id
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # Shown name of the author; claim matching reads it ("Name: text"), see claims/README_matching.md.
    author_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lang: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # ISO 3166 country (or subdivision) code from the platform; incident spread counts these.
    region: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Detected from the text (classifier/language.py; `lang` is the platform's hint). 0305_triage.
    detected_lang: Mapped[str | None] = mapped_column(String(16), nullable=True)
    url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
    shares: Mapped[int] = mapped_column(Integer, default=0)
    author_followers: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.SCORED)
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[WrittenAt]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Score(PostRow, Base):
    """The machine's verdict on one version of a post's text."""

    __tablename__ = "scores"

    text_sha256: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(16))
    model_version: Mapped[str] = mapped_column(String(100))
    reasons: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[WrittenAt]
    # The triage signals beside the falsehood score (pipeline/triage.py; 0305_triage). `band`
    # stays the falsehood model's own band; NULLs are rows scored before triage existed.
    triage_band: Mapped[str | None] = mapped_column(String(24), nullable=True)
    triage_rule: Mapped[str | None] = mapped_column(String(32), nullable=True)
    checkworthiness: Mapped[float | None] = mapped_column(Float, nullable=True)
    claim_matches: Mapped[list[dict[str, object]] | None] = mapped_column(JSON, nullable=True)


class ReviewCase(PostRow, Base):
    __tablename__ = "review_cases"
    __table_args__ = (
        Index("ix_review_cases_queue", "status", "priority"),
        # "Claim next" walks this partial index in priority order within one namespace (real
        # or drill; see pipeline/queue.py).
        Index(
            "ix_review_cases_claimable",
            "is_drill",
            text("priority DESC"),
            "created_at",
            postgresql_where=text(WAITING_SQL),
            sqlite_where=text(WAITING_SQL),
        ),
    )

    band: Mapped[str] = mapped_column(String(16))
    priority: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.OPEN)
    policy_version: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # who may hold the case, who holds it and until when
    required_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    first_reviewer: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[WrittenAt]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    stage: Mapped[str] = mapped_column(
        String(16), default=CaseStage.REVIEW, server_default="review"
    )
    # what the case is about
    lang: Mapped[str | None] = mapped_column(String(16), nullable=True)
    topic: Mapped[str | None] = mapped_column(String(64), nullable=True)
    incident_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claim_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # A drill case (its post is drill data): only drills claim it; real queues never see it.
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CaseCooldown(Base):
    """A reviewer who put a case back (released or skipped it) is not offered it again until
    `ends_at`: one row per case and reviewer, so one person's cooldown never ends another's."""

    __tablename__ = "case_cooldowns"

    case_id: Mapped[str] = mapped_column(
        ForeignKey("review_cases.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Decision(PostRow, Base):
    """A verdict on a post, human or machine, in one row shape (see export-labels)."""

    __tablename__ = "decisions"

    # sort_order: between the id and post_id of PostRow, where the table has it.
    case_id: Mapped[str | None] = mapped_column(
        ForeignKey("review_cases.id"), nullable=True, sort_order=-1
    )
    decided_by: Mapped[str] = mapped_column(String(64))
    decider_type: Mapped[str] = mapped_column(String(16), default="human")  # human | machine
    reason_code: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    territories: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[WrittenAt]
    claim_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # Added by 0504: what the DSA statement of reasons tells the author (never the internal
    # note), and the law the content breaks when the reviewer found it illegal.
    public_facts: Mapped[str] = mapped_column(Text, default="")
    legal_ground: Mapped[str | None] = mapped_column(String(500), nullable=True)


class EnforcementAction(PostRow, OutboundAttempts, Base):
    """One change to make on the platform, executed exactly once through its idempotency key."""

    __tablename__ = "enforcement_actions"

    # sort_order: between the id and post_id of PostRow, where the table has it.
    decision_id: Mapped[str | None] = mapped_column(
        ForeignKey("decisions.id"), nullable=True, sort_order=-1
    )
    action: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.PENDING, index=True)
    # OutboundAttempts' idempotency_key, attempts and last_error stand here; sort_order=1 below.
    platform_reference: Mapped[str | None] = mapped_column(String(200), nullable=True, sort_order=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, sort_order=1)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, sort_order=1)
    undoes_id: Mapped[str | None] = mapped_column(
        String(32), nullable=True, index=True, sort_order=1
    )
    next_attempt_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, nullable=True, sort_order=1
    )


class VersionedPolicy:
    """One saved version of a policy's JSON body, with its note; the highest version is in
    force. The routing policy and the incident thresholds are stored so; each model adds its
    `author` column."""

    # sort_order: version and body before the model's author, as the tables have them.
    version: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False, sort_order=-1
    )
    body: Mapped[dict[str, object]] = mapped_column(JSON, sort_order=-1)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[WrittenAt]


class StoredRoutingPolicy(VersionedPolicy, Base):
    """Every routing policy an admin has saved; the highest version is the active one."""

    __tablename__ = "routing_policies"

    author: Mapped[str] = mapped_column(String(64))
