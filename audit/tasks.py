"""Shipping the outbox to Elasticsearch (periodic: Celery beat, or the in-process housekeeper)."""

from __future__ import annotations

import logging

from elastic_transport import TransportError
from elasticsearch import ApiError

from audit.process import AuditProcess
from audit.shipping import ShipResult, ship_pending, shipping_lag
from core.tasks import task

log = logging.getLogger(__name__)


@task("audit.ship_outbox", every=2.0)
def ship_outbox(rt: AuditProcess) -> ShipResult | None:
    store = rt.action_log
    if store is None:
        return None  # embedded default: the database is the log
    try:
        store.ensure_template_once()
    except (TransportError, ApiError) as exc:
        # Elasticsearch is down or refusing: as when a batch fails, the events wait.
        log.warning("action log shipping paused: %s", exc)
        return ShipResult(0, 0, shipping_lag(rt.sessions).unshipped, error=str(exc))
    return ship_pending(rt.sessions, store)
