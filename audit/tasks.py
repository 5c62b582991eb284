"""Shipping the outbox to Elasticsearch (called by Celery beat or the in-process loop)."""

from __future__ import annotations

from audit.shipping import ShipResult, ship_pending
from runtime.container import Runtime


def ship_outbox(rt: Runtime) -> ShipResult | None:
    store = rt.action_log
    if store is None:
        return None  # embedded default: the database is the log
    store.ensure_template_once()
    return ship_pending(rt.sessions, store)
