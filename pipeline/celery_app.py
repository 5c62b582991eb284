"""The Celery application: Redis broker, late acks, safe defaults for every task. The tasks and
the beat schedule are bound by the wiring (`runtime/worker.py`)."""

from __future__ import annotations

from celery import Celery

from core.logging import connect_celery_signals
from core.retry import VISIBILITY_TIMEOUT_SECONDS
from core.settings import get_settings
from core.tracing import connect_celery_tracing

# An unacked task (its worker died) returns to the queue after VISIBILITY_TIMEOUT_SECONDS;
# so does one whose countdown runs past it, which is why core/retry bounds every countdown.
# How often a worker looks for such tasks. Kombu's default scans only every 10th 10-second
# tick, so a dead worker's task could wait 100 s past its visibility timeout (and a worker that
# started just before the timeout ran out missed it for that long: a flaky reliability test).
RESTORE_EVERY_SECONDS = min(10, max(1, int(VISIBILITY_TIMEOUT_SECONDS) // 3))


def make_celery(broker_url: str | None = None) -> Celery:
    url = broker_url or get_settings().redis.url or "redis://127.0.0.1:6379/0"
    app = Celery("veracity", broker=url)
    app.conf.update(
        task_acks_late=True,  # a task killed mid-run is redelivered
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        task_time_limit=300,
        task_soft_time_limit=240,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": VISIBILITY_TIMEOUT_SECONDS,
            "unacked_restore_interval": RESTORE_EVERY_SECONDS,
            "unacked_restore_throttle": 1,
        },
        task_default_queue="veracity",
        timezone="UTC",
    )
    return app


connect_celery_signals()  # JSON log lines with the task id (core/logging.py)
connect_celery_tracing()  # spans per task when TRACING__ENABLED (core/tracing.py)
