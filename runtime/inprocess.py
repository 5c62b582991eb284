"""The embedded default's pipeline: every declared task (`core.tasks`) on a thread pool, and a
housekeeper thread for the periodic ones."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import runtime.domains  # noqa: F401 - every domain's tasks register on import
from core import dispatch
from core.tasks import RetryLater, TaskSpec, registered
from runtime.container import Runtime
from runtime.housekeeping import housekeeping_round

log = logging.getLogger(__name__)


def _runner(
    rt: Runtime, spec: TaskSpec, dispatcher: dispatch.InProcessDispatcher
) -> Callable[..., object]:
    def run(*args: str) -> object:
        try:
            return spec.body(rt, *args)
        except RetryLater as later:
            # The countdown on a timer, as Celery's; the sweeper is the backstop.
            timer = threading.Timer(later.countdown, dispatcher.send, args=(spec.name, *args))
            timer.daemon = True
            timer.start()
            return later

    return run


def start_inprocess_pipeline(rt: Runtime, *, workers: int = 2) -> dispatch.InProcessDispatcher:
    tasks: dict[str, Callable[..., object]] = {}
    dispatcher = dispatch.InProcessDispatcher(tasks, workers=workers)
    tasks.update({name: _runner(rt, spec, dispatcher) for name, spec in registered().items()})
    dispatch.install(rt.sessions, dispatcher)
    rt.dispatcher = dispatcher
    return dispatcher


class Housekeeper(threading.Thread):
    """Runs the periodic tasks every few seconds until stopped."""

    def __init__(self, rt: Runtime, interval: float = 5.0) -> None:
        super().__init__(name="housekeeper", daemon=True)
        self._rt = rt
        self._interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self._interval):
            housekeeping_round(self._rt)

    def stop(self) -> None:
        self._stop_event.set()
