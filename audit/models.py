"""The outbox: action-log events stored with the change they describe, then shipped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.types import UtcDateTime


class AuditChain(Base):
    """Head of a hash chain. Writers lock this row, so sequence numbers follow commit order."""

    __tablename__ = "audit_chains"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64))


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_unshipped", "shipped_at", "seq"),
        Index("ix_audit_events_chain_seq", "chain", "seq", unique=True),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # also the Elasticsearch _id
    chain: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    actor_name: Mapped[str] = mapped_column(String(128), index=True)
    actor_type: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    case_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    incident_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    document: Mapped[dict[str, object]] = mapped_column(JSON)  # exactly what is hashed and shipped
    hash: Mapped[str] = mapped_column(String(64))
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
