"""Periodic work in one place: ship the log, re-enqueue lost work, retry due deliveries.

The in-process Housekeeper runs a round every few seconds; in production Celery beat runs the
same steps as separate tasks (see `pipeline/celery_app.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from audit.tasks import ship_outbox
from pipeline.tasks import sweep
from runtime.container import Runtime
from statements.config import get_statement_settings
from statements.delivery import deliver_pending, sender_from
from webhooks.tasks import sweep_due

log = logging.getLogger(__name__)


def deliver_statements(rt: Runtime) -> dict[str, int]:
    settings = get_statement_settings()
    sender = sender_from(settings)
    if sender is None:
        return {}
    try:
        return deliver_pending(rt.sessions, sender, settings)
    finally:
        sender.close()


STEPS: tuple[tuple[str, Callable[[Runtime], object]], ...] = (
    ("ship outbox", ship_outbox),
    ("sweep", sweep),
    ("webhooks", sweep_due),
    ("statement deliveries", deliver_statements),
)


def housekeeping_round(rt: Runtime) -> None:
    """Each step on its own: one failing (say, Elasticsearch down) must not stop the others."""
    for name, step in STEPS:
        try:
            step(rt)
        except Exception:
            log.exception("housekeeping step %r failed; will retry next round", name)
