"""Shipping the outbox to Elasticsearch (periodic: Celery beat, or the in-process housekeeper)."""

from __future__ import annotations

from audit.process import AuditProcess
from audit.shipping import ShipResult, ship_pending
from core.tasks import task


@task("audit.ship_outbox", every=2.0)
def ship_outbox(rt: AuditProcess) -> ShipResult | None:
    store = rt.action_log
    if store is None:
        return None  # embedded default: the database is the log
    store.ensure_template_once()
    return ship_pending(rt.sessions, store)
