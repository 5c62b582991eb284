"""Hand work to the pipeline only after the database has committed.

Two dispatchers share one interface: Celery (production, Redis broker) and an in-process
thread pool (embedded default). Work is queued on the session and sent from its
`after_commit` hook, so a task never runs before its row exists or after a rollback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from core.tasks import is_batched

log = logging.getLogger(__name__)
_PENDING_KEY = "veracity_pending_tasks"


class Dispatcher(Protocol):
    def send(self, task_name: str, *args: str) -> None: ...


class InProcessDispatcher:
    """Runs named task functions on a small thread pool inside the serving process."""

    def __init__(self, registry: dict[str, Callable[..., object]], workers: int = 2) -> None:
        self._registry = registry
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pipeline")
        self._futures: list[Future[object]] = []

    def send(self, task_name: str, *args: str) -> None:
        fn = self._registry[task_name]
        self._futures.append(self._pool.submit(self._run, task_name, fn, args))
        self._futures = [f for f in self._futures if not f.done()]

    @staticmethod
    def _run(task_name: str, fn: Callable[..., object], args: tuple[str, ...]) -> object:
        try:
            return fn(*args)
        except Exception:
            # The sweeper finds work left undone; a crash here must not kill the pool.
            log.exception("in-process task %s%s failed", task_name, args)
            return None

    def drain(self, timeout: float = 30.0) -> None:
        """Wait for queued work, including work that queued more work (used by tests, demo)."""
        while self._futures:
            current, self._futures = self._futures, []
            for fut in current:
                fut.result(timeout=timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


# A batched task's ids from one transaction go in messages of at most this many: one message per
# intake request instead of one per post, and a lost message costs the sweeper little.
MAX_IDS_PER_MESSAGE = 50
Pending = list[tuple[str, tuple[str, ...]]]


def coalesce(pending: Pending, batched: Callable[[str], bool]) -> Pending:
    """The messages to send: a batched task's ids merged where it was first queued (chunked),
    every other task's sends as they were queued."""
    merged: dict[str, list[str]] = {}
    order: list[tuple[str, tuple[str, ...] | list[str]]] = []
    for name, args in pending:
        if not batched(name):
            order.append((name, args))
        elif name in merged:
            merged[name].extend(args)
        else:
            merged[name] = list(args)
            order.append((name, merged[name]))  # the list later sends of it extend
    sends: Pending = []
    for name, queued in order:
        if isinstance(queued, list):
            step = MAX_IDS_PER_MESSAGE
            sends.extend((name, tuple(queued[i : i + step])) for i in range(0, len(queued), step))
        else:
            sends.append((name, queued))
    return sends


def enqueue_after_commit(session: Session, task_name: str, *args: str) -> None:
    pending: list[tuple[str, tuple[str, ...]]] = session.info.setdefault(_PENDING_KEY, [])
    pending.append((task_name, args))


def install(factory: sessionmaker[Session], dispatcher: Dispatcher) -> None:
    """Bind a dispatcher to a session factory: tasks go out after commit, vanish on rollback."""

    @event.listens_for(factory, "after_commit")
    def _send(session: Session) -> None:
        if session.in_nested_transaction():
            # A savepoint was released (begin_nested): the outer transaction has not committed,
            # so a task sent now could run before its rows are visible, and find nothing.
            return
        pending = session.info.pop(_PENDING_KEY, [])
        for name, args in coalesce(pending, is_batched):
            try:
                dispatcher.send(name, *args)
            except Exception:
                # Broker down: the row is committed, so the sweeper will re-enqueue it.
                log.exception("could not dispatch %s%s; left for the sweeper", name, args)

    @event.listens_for(factory, "after_rollback")
    def _drop(session: Session) -> None:
        if session.in_nested_transaction():
            return  # only a savepoint rolled back: what the outer transaction queued stands
        session.info.pop(_PENDING_KEY, None)
