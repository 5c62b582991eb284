"""Dispatching through Celery (production): messages go to the Redis broker in settings."""

from __future__ import annotations

from pipeline.celery_app import make_celery


class CeleryDispatcher:
    def __init__(self, broker_url: str) -> None:
        self._app = make_celery(broker_url)

    def send(self, task_name: str, *args: str) -> None:
        self._app.send_task(task_name, args=list(args))
