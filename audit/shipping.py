"""Moving outbox events to Elasticsearch, oldest first, idempotently.

Safe to run concurrently and to retry: documents are created under deterministic ids, and a
conflict means an earlier run already stored that event.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from elastic_transport import TransportError
from elasticsearch import ApiError
from sqlalchemy.orm import Session, sessionmaker

from audit.es_store import ElasticsearchLog, Outgoing
from audit.repository import outbox as repository
from core.clock import as_utc, utcnow
from core.db import transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShipResult:
    """One shipping run: events stored, events Elasticsearch refused (not counted under
    backpressure), events still in the outbox, and why the run stopped early, if it did
    ("backpressure", or the transport error)."""

    shipped: int
    failed: int
    remaining: int
    error: str | None = None


@dataclass
class _Tally:
    """What the shipping threads did, shared between them."""

    shipped: int = 0
    failed: int = 0
    batches: int = 0
    error: str | None = None
    stop: bool = False
    crash: BaseException | None = None  # raised again in the caller's thread
    lock: threading.Lock = field(default_factory=threading.Lock)


def ship_pending(
    factory: sessionmaker[Session],
    store: ElasticsearchLog,
    *,
    batch_size: int = 1000,
    max_batches: int = 100,
    concurrency: int = 3,
) -> ShipResult:
    """Ship unshipped events, oldest first, until none are left or `max_batches` were sent.

    On PostgreSQL each batch is claimed with FOR UPDATE SKIP LOCKED for as long as it is in
    flight, so `concurrency` threads here (and shippers on other replicas) send disjoint
    batches while Elasticsearch indexes the one before. SQLite has no such claim (and holds
    its write lock for a whole transaction), so it ships one batch at a time, unlocked.
    """
    locking = factory.kw["bind"].dialect.name == "postgresql"
    tally = _Tally()
    threads = [
        threading.Thread(
            target=_ship_loop,
            args=(factory, store, batch_size, max_batches, locking, tally),
            name=f"outbox-shipper-{i}",
        )
        for i in range(max(1, concurrency) if locking else 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if tally.crash is not None:
        raise tally.crash
    failed = 0 if tally.error == "backpressure" else tally.failed
    return ShipResult(tally.shipped, failed, _remaining(factory), error=tally.error)


def _ship_loop(
    factory: sessionmaker[Session],
    store: ElasticsearchLog,
    batch_size: int,
    max_batches: int,
    locking: bool,
    tally: _Tally,
) -> None:
    while True:
        with tally.lock:
            if tally.stop or tally.batches >= max_batches:
                return
            tally.batches += 1
        try:
            done = _ship_batch(factory, store, batch_size, locking, tally)
        except BaseException as exc:
            with tally.lock:
                tally.stop = True
                tally.crash = tally.crash or exc
            return
        if done:
            with tally.lock:
                tally.stop = True
            return


def _ship_batch(
    factory: sessionmaker[Session],
    store: ElasticsearchLog,
    batch_size: int,
    locking: bool,
    tally: _Tally,
) -> bool:
    """Claim, send and mark one batch; True when this shipper should stop."""
    with transaction(factory) as session:
        rows = repository.claim_unshipped(session, batch_size, lock=locking)
        if not locking:
            session.commit()  # SQLite: release the write lock before the network call
        if not rows:
            return True
        # The stored JSON text goes out as is: no decoding and re-encoding per event.
        try:
            stored, failures = store.create_serialized(
                [Outgoing.from_text(event_id, text) for event_id, text in rows]
            )
        except (TransportError, ApiError) as exc:
            # Elasticsearch is down or refusing: events stay in the outbox for the next run.
            log.warning("action log shipping paused: %s", exc)
            with tally.lock:
                tally.error = str(exc)
            return True
        if stored:
            repository.mark_shipped(session, stored, utcnow())
    with tally.lock:
        tally.shipped += len(stored)
        if failures and all("429" in f or "rejected" in f for f in failures.values()):
            # Backpressure: Elasticsearch's write queue is full. Stop; the rest waits its turn.
            log.warning("action log shipping backing off: %d documents rejected", len(failures))
            tally.error = "backpressure"
            return True
        tally.failed += len(failures)
    if failures:
        log.error("action log documents refused: %s", dict(list(failures.items())[:5]))
        return True
    return len(rows) < batch_size


def _remaining(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as session:
        return repository.unshipped_count(session)


@dataclass(frozen=True)
class ShippingLag:
    unshipped: int
    oldest_age_seconds: float  # 0 when nothing waits


def shipping_lag(factory: sessionmaker[Session]) -> ShippingLag:
    """How far Elasticsearch trails the outbox (for /metrics and alerts)."""
    with transaction(factory) as session:
        count, oldest = repository.unshipped_count_and_oldest(session)
    if not count or oldest is None:
        return ShippingLag(0, 0.0)
    age = (utcnow() - as_utc(oldest)).total_seconds()
    return ShippingLag(int(count), max(age, 0.0))
