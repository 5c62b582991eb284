"""Statements and every version of their text."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base, NewId
from core.outbound_rows import OutboundAttempts
from core.types import UtcDateTime, WrittenAt


class StatementKind(enum.StrEnum):
    COUNTER_STATEMENT = "counter_statement"
    SERVICE_INTERRUPTION = "service_interruption"
    SECURITY_INCIDENT = "security_incident"
    DATA_BREACH_USERS = "data_breach_users"  # the breach notice to the people affected
    DATA_BREACH_REGULATOR = "data_breach_regulator"  # the breach notice to the regulator


class StatementStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Statement(Base):
    __tablename__ = "statements"

    id: Mapped[NewId]
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32), default="web")
    status: Mapped[str] = mapped_column(String(16), default=StatementStatus.DRAFT)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    claim_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    case_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Added by 0502_statements: evidence, approvals per version, publication state.
    incident_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    incident_severity: Mapped[str | None] = mapped_column(String(16), nullable=True)
    requires_legal: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    legal_approved_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    generator: Mapped[str] = mapped_column(String(64), default="offline")
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Added by 0504: the first publication (published_at moves with each correction sent out).
    first_published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[WrittenAt]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class StatementVersion(Base):
    """The title, body and sources of a statement as one edit left them, numbered from 1; the
    public feeds show the published number's row, so later edits never change what went out."""

    __tablename__ = "statement_versions"
    # Added by 0505: one row per number (the statement's row lock orders edits; this is the
    # backstop, and 0505 renumbered what concurrent edits had saved twice before).
    __table_args__ = (
        UniqueConstraint("statement_id", "number", name="uq_statement_versions_statement_number"),
    )

    id: Mapped[NewId]
    statement_id: Mapped[str] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[str] = mapped_column(String(64))
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")  # why it changed (e.g. a correction)
    created_at: Mapped[WrittenAt]


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


class StatementDelivery(OutboundAttempts, Base):
    """One push of a statement version to an outside channel (the official-account webhook).

    The idempotency key makes a retried push harmless on the receiving side.
    """

    __tablename__ = "statement_deliveries"
    __table_args__ = (Index("ix_statement_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[NewId]
    statement_id: Mapped[str] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(16))  # publish | withdraw
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING, index=True)
    # OutboundAttempts' idempotency_key, attempts and last_error stand here; sort_order=1 below.
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True, sort_order=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, sort_order=1)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, sort_order=1)
    # Added by 0503: when the next try is due (None: at once). A failure sets it from the
    # retry policy's backoff and the receiver's Retry-After; the sweep sends only due rows.
    next_attempt_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, nullable=True, sort_order=1
    )
