"""Moving outbox events to Elasticsearch, oldest first, idempotently.

Safe to run concurrently and to retry: documents are created under deterministic ids, and a
conflict means an earlier run already stored that event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from elastic_transport import TransportError
from elasticsearch import ApiError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from audit.es_store import ElasticsearchLog
from audit.models import AuditEvent
from core.clock import utcnow
from core.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShipResult:
    shipped: int
    failed: int
    remaining: int
    error: str | None = None


def ship_pending(
    factory: sessionmaker[Session],
    store: ElasticsearchLog,
    *,
    batch_size: int = 500,
    max_batches: int = 100,
) -> ShipResult:
    shipped = failed = 0
    for _ in range(max_batches):
        with transaction(factory) as session:
            events = list(
                session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.shipped_at.is_(None))
                    .order_by(AuditEvent.seq)
                    .limit(batch_size)
                )
            )
        if not events:
            break
        try:
            stored, failures = store.create_many([e.document for e in events])
        except (TransportError, ApiError) as exc:
            # Elasticsearch is down or refusing: events stay in the outbox for the next run.
            log.warning("action log shipping paused: %s", exc)
            return ShipResult(shipped, failed, _remaining(factory), error=str(exc))
        if stored:
            with transaction(factory) as session:
                session.execute(
                    update(AuditEvent).where(AuditEvent.id.in_(stored)).values(shipped_at=utcnow())
                )
        shipped += len(stored)
        if failures and all("429" in f or "rejected" in f for f in failures.values()):
            # Backpressure: Elasticsearch's write queue is full. Stop; the rest waits its turn.
            log.warning("action log shipping backing off: %d documents rejected", len(failures))
            return ShipResult(shipped, 0, _remaining(factory), error="backpressure")
        failed += len(failures)
        if failures:
            log.error("action log documents refused: %s", dict(list(failures.items())[:5]))
            break
        if len(events) < batch_size:
            break
    return ShipResult(shipped, failed, _remaining(factory))


def _remaining(factory: sessionmaker[Session]) -> int:
    from sqlalchemy import func

    with transaction(factory) as session:
        return int(
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.shipped_at.is_(None))
            )
            or 0
        )


@dataclass(frozen=True)
class ShippingLag:
    unshipped: int
    oldest_age_seconds: float  # 0 when nothing waits


def shipping_lag(factory: sessionmaker[Session]) -> ShippingLag:
    """How far Elasticsearch trails the outbox (for /metrics and alerts)."""
    from sqlalchemy import func

    from core.clock import as_utc

    with transaction(factory) as session:
        count, oldest = session.execute(
            select(func.count(), func.min(AuditEvent.timestamp)).where(
                AuditEvent.shipped_at.is_(None)
            )
        ).one()
    if not count or oldest is None:
        return ShippingLag(0, 0.0)
    age = (utcnow() - as_utc(oldest)).total_seconds()
    return ShippingLag(int(count), max(age, 0.0))
