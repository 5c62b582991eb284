"""The embedded default's pipeline: tasks on a thread pool, a timer for shipping and sweeping."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from core import dispatch
from pipeline.decisions import EXECUTE_TASK
from pipeline.intake import ROUTE_TASK
from pipeline.tasks import enforce, route_post
from runtime.container import Runtime
from runtime.housekeeping import housekeeping_round
from webhooks import tasks as webhook_tasks

log = logging.getLogger(__name__)


def start_inprocess_pipeline(rt: Runtime, *, workers: int = 2) -> dispatch.InProcessDispatcher:
    registry: dict[str, Callable[..., object]] = {}
    dispatcher = dispatch.InProcessDispatcher(registry, workers=workers)

    def run_enforcement(action_id: str) -> object:
        outcome = enforce(rt, action_id)
        if outcome.status == "retry":
            # The policy's countdown on a timer, as Celery's; the sweeper is the backstop.
            timer = threading.Timer(
                outcome.retry_in, dispatcher.send, args=(EXECUTE_TASK, action_id)
            )
            timer.daemon = True
            timer.start()
        return outcome

    registry[ROUTE_TASK] = lambda post_id: route_post(rt, post_id)
    registry[EXECUTE_TASK] = run_enforcement
    registry.update(webhook_tasks.inprocess_tasks(rt, dispatcher))
    dispatch.install(rt.sessions, dispatcher)
    rt.dispatcher = dispatcher
    return dispatcher


class Housekeeper(threading.Thread):
    """Ships the outbox and sweeps for lost work every few seconds until stopped."""

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
