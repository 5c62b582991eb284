"""The periodic tasks (`core.tasks`, those with `every=`) in one round, each on its own.

The in-process Housekeeper runs a round every few seconds; in production Celery beat sends the
same tasks on their own schedules (`runtime/worker.py`).
"""

from __future__ import annotations

import logging

import runtime.domains  # noqa: F401 - every domain's tasks register on import
from core.tasks import RetryLater, periodic
from runtime.container import Runtime

log = logging.getLogger(__name__)


def housekeeping_round(rt: Runtime) -> None:
    """Each task on its own: one failing (say, Elasticsearch down) must not stop the others."""
    for spec in periodic():
        try:
            spec.body(rt)
        except RetryLater:
            pass  # the next round is the retry
        except Exception:
            log.exception("housekeeping task %r failed; will retry next round", spec.name)
