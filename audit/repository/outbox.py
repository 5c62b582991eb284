"""Queries on the outbox: the events not yet shipped to Elasticsearch."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.orm import Session

from audit.models import AuditEvent


def claim_unshipped(session: Session, limit: int, *, lock: bool) -> list[tuple[str, str]]:
    """The oldest `limit` unshipped events as (id, stored JSON text); with `lock` they are
    claimed FOR UPDATE SKIP LOCKED, so concurrent shippers take disjoint batches."""
    query = (
        select(AuditEvent.id, cast(AuditEvent.document, Text))
        .where(AuditEvent.shipped_at.is_(None))
        .order_by(AuditEvent.seq)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(session.execute(query).tuples().all())


def mark_shipped(session: Session, event_ids: Collection[str], at: datetime) -> None:
    session.execute(update(AuditEvent).where(AuditEvent.id.in_(event_ids)).values(shipped_at=at))


def unshipped_count(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.shipped_at.is_(None))
        )
        or 0
    )


def unshipped_count_and_oldest(session: Session) -> tuple[int, datetime | None]:
    """How many events wait to be shipped, and the timestamp of the oldest (None if none)."""
    count, oldest = session.execute(
        select(func.count(), func.min(AuditEvent.timestamp)).where(AuditEvent.shipped_at.is_(None))
    ).one()
    return int(count or 0), oldest
