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
    # seq and hash are NULL only inside the writing transaction: assigned as it commits
    # (audit.service), so every committed event has both.
    seq: Mapped[int] = mapped_column(Integer, nullable=True)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    actor_name: Mapped[str] = mapped_column(String(128), index=True)
    actor_type: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    case_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    incident_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    document: Mapped[dict[str, object]] = mapped_column(JSON)  # exactly what is hashed and shipped
    hash: Mapped[str] = mapped_column(String(64), nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class LegalHold(Base):
    """Events about a held case, incident or post survive retention until the hold is released."""

    __tablename__ = "audit_legal_holds"
    __table_args__ = (Index("ix_audit_legal_holds_subject", "subject_type", "subject_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16))  # case | incident | post
    subject_id: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(2000))
    set_by: Mapped[str] = mapped_column(String(128))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(128), nullable=True)


class RetentionDeletion(Base):
    """A contiguous run of chain events removed lawfully by retention.

    `end_hash` is the hash of the run's last event: the next surviving event's `prev_hash` must
    equal it, so `verify` can tell a lawful gap from a deleted document.
    """

    __tablename__ = "audit_retention_deletions"
    __table_args__ = (Index("ix_audit_retention_deletions_range", "chain", "start_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(32), index=True)
    chain: Mapped[str] = mapped_column(String(32))
    start_seq: Mapped[int] = mapped_column(Integer)
    end_seq: Mapped[int] = mapped_column(Integer)
    end_hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)
    deleted_at: Mapped[datetime] = mapped_column(UtcDateTime)
