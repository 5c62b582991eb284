"""Where work a console command queues goes: the Celery broker when REDIS__URL is set (a send
that fails is counted, not only logged), else this process, which runs it before exiting."""

from __future__ import annotations

import contextlib
import logging
import sys
from dataclasses import dataclass, field

import runtime.domains  # noqa: F401 - every domain's tasks register on import
from core import dispatch
from core.tasks import RetryLater, TaskSpec, registered
from runtime.celery_dispatch import CeleryDispatcher
from runtime.container import Runtime

log = logging.getLogger(__name__)


@dataclass
class Sends:
    """A dispatcher that keeps what it could not send (`failed`) or, without a broker, what
    is to run here (`queued`)."""

    broker: CeleryDispatcher | None
    sent: int = 0
    queued: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def sent_to(self) -> str:
        return "broker" if self.broker is not None else "this process"

    def send(self, task_name: str, *args: str) -> None:
        if self.broker is None:
            self.queued.append((task_name, args))
            return
        try:
            self.broker.send(task_name, *args)
        except Exception as exc:  # the broker is down: the rows stay for the next sweep
            self.failed.append(f"{task_name}: {type(exc).__name__}: {exc}")
        else:
            self.sent += 1


def install_sends(rt: Runtime) -> Sends:
    """Send what `rt`'s sessions queue after commit through a new `Sends`."""
    url = rt.settings.redis.url
    sends = Sends(CeleryDispatcher(url) if url else None)
    dispatch.install(rt.sessions, sends)
    rt.dispatcher = sends
    return sends


def run_queued(rt: Runtime, sends: Sends) -> None:
    """Run the work queued for this process, and what that queues in turn; a task that asks
    to be retried later is left for the next sweep, one that fails is counted in `failed`."""
    tasks = registered()
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries the command's result alone
        _run_all(rt, sends, tasks)


def _run_all(rt: Runtime, sends: Sends, tasks: dict[str, TaskSpec]) -> None:
    while sends.queued:
        name, args = sends.queued.pop(0)
        try:
            tasks[name].body(rt, *args)
        except RetryLater:
            log.info("%s%s will be retried by a later sweep", name, args)
        except Exception as exc:
            sends.failed.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            sends.sent += 1
