"""Dispatching through Celery (production): the broker is Redis."""

from __future__ import annotations

from pipeline.celery_app import send


class CeleryDispatcher:
    def send(self, task_name: str, *args: str) -> None:
        send(task_name, *args)
