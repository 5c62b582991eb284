"""Periodic work in one place: ship the log, re-enqueue lost work, retry due deliveries.

The in-process Housekeeper runs a round every few seconds; in production Celery beat runs the
same steps as separate tasks (see `pipeline/celery_app.py`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from audit.tasks import ship_outbox
from core.outbound import gated_client, policy_from
from incidents.detection import ClaimLookup, library_lookup
from incidents.tasks import run_round
from pipeline.tasks import sweep
from runtime.container import Runtime
from statements.config import statement_settings_for
from statements.delivery import deliver_pending, sender_from
from webhooks.tasks import sweep_due

log = logging.getLogger(__name__)


def deliver_statements(rt: Runtime) -> dict[str, int]:
    settings = statement_settings_for(rt.settings)  # links in payloads: PUBLIC__BASE_URL
    sender = sender_from(settings, outbound=policy_from(rt.settings))
    if sender is None:
        return {}
    try:
        return deliver_pending(rt.sessions, sender, settings)
    finally:
        sender.close()


class IncidentWatch:
    """Incident detection for this process, its claim lookup rebuilt now and then.

    Building the lookup embeds the claim library, so it is cached and refreshed every
    `refresh_seconds` to pick up newly added claims.
    """

    def __init__(self, refresh_seconds: float = 600.0) -> None:
        self.refresh_seconds = refresh_seconds
        self._lookup: ClaimLookup | None = None
        self._built_at = float("-inf")
        self._lock = threading.Lock()

    def lookup(self, rt: Runtime) -> ClaimLookup | None:
        with self._lock:
            if time.monotonic() - self._built_at > self.refresh_seconds:
                from claims.index_select import make_index
                from claims.matching_model import default_parts

                parts = default_parts()
                with rt.sessions() as session:
                    index = make_index(rt.settings, parts.embedder.dimensions)
                    self._lookup = library_lookup(session, parts, index)
                self._built_at = time.monotonic()
            return self._lookup

    def __call__(self, rt: Runtime) -> object:
        from claims.matching_model import default_parts

        lookup = self.lookup(rt)  # loads the matcher's encoder, which also groups narratives
        with gated_client(policy_from(rt.settings), timeout=10) as client:
            return run_round(rt, lookup, client, default_parts().embedder.embed)


_WATCH = IncidentWatch()


def incident_round(rt: Runtime) -> object:
    return _WATCH(rt)


STEPS: tuple[tuple[str, Callable[[Runtime], object]], ...] = (
    ("ship outbox", ship_outbox),
    ("sweep", sweep),
    ("webhooks", sweep_due),
    ("statement deliveries", deliver_statements),
    ("incidents", _WATCH),
)


def housekeeping_round(rt: Runtime) -> None:
    """Each step on its own: one failing (say, Elasticsearch down) must not stop the others."""
    for name, step in STEPS:
        try:
            step(rt)
        except Exception:
            log.exception("housekeeping step %r failed; will retry next round", name)
