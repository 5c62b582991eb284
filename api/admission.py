"""/v1/score's path through the server: admission awaited on the event loop, then one
thread-pool call that scores and commits.

Measured against the same scoring called in-process (bench/api_load.py), two things made
the HTTP path fall behind as concurrency grew:

- The commit ran in a second thread-pool call (the session dependency's teardown) after the
  endpoint returned. Until then the transaction held the action log's chain-head row, which
  every scoring request locks, and under load that call waited for a free thread-pool token,
  so every writer queued behind a lock held for as long as a token took to come free.
- A request waiting for admission blocked a thread-pool thread (40 in all) while it waited,
  so the threads that had finished scoring found none to commit in.

Here a request waits for admission without a thread, and the thread that scores also
commits, as an in-process caller does: the lock is held only while the request writes.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.batcher import Overloaded
from api.serving import Serving
from core.actors import Actor
from core.db import transaction
from core.refusal import Refusal
from pipeline.intake import score_posts
from pipeline.schemas import ScoreOut, ScoreRequest

OVERLOAD_RETRY_SECONDS = 1
_POLL_FIRST, _POLL_MAX = 0.001, 0.01  # seconds between tries while the limit is full


def overloaded(message: str) -> Refusal:
    return Refusal(503, "overloaded", message, headers={"Retry-After": str(OVERLOAD_RETRY_SECONDS)})


async def admit(admission: threading.BoundedSemaphore, wait_seconds: float) -> bool:
    """Take a slot of `admission` within `wait_seconds`, without blocking a thread. The limit
    stays a threading semaphore: drills take the same slots from worker threads."""
    if admission.acquire(blocking=False):
        return True
    loop = asyncio.get_running_loop()
    deadline, delay = loop.time() + wait_seconds, _POLL_FIRST
    while (left := deadline - loop.time()) > 0:
        await asyncio.sleep(min(delay, left))
        if admission.acquire(blocking=False):
            return True
        delay = min(2 * delay, _POLL_MAX)
    return False


@dataclass(frozen=True)
class ScoreJob:
    """One scoring request: the posts, who sent them, the request id, drill or not."""

    payload: ScoreRequest
    actor: Actor
    rid: str | None
    is_drill: bool = False

    def score_in(self, session: Session, serving: Serving) -> list[ScoreOut]:
        """Score through the batcher in `session`; a batcher that is full answers 503."""
        try:
            return score_posts(
                session,
                serving.batcher,
                self.payload.posts,
                self.actor,
                request_id=self.rid,
                is_drill=self.is_drill,
                signals=serving.signals,
            )
        except Overloaded as exc:
            raise overloaded(str(exc)) from exc


async def score_committed(
    serving: Serving, sessions: sessionmaker[Session], job: ScoreJob
) -> list[ScoreOut]:
    """Score `job` and commit before answering (a 200 is never sent for lost writes)."""
    if not await admit(serving.admission, serving.admission_wait_seconds):
        raise overloaded("too many scoring requests in flight")
    try:
        return await run_in_threadpool(_score_and_commit, serving, sessions, job)
    finally:
        serving.admission.release()


def _score_and_commit(
    serving: Serving, sessions: sessionmaker[Session], job: ScoreJob
) -> list[ScoreOut]:
    with transaction(sessions) as session:
        return job.score_in(session, serving)


def score_admitted(serving: Serving, session: Session, job: ScoreJob) -> list[ScoreOut]:
    """The blocking path (drills, the bench's in-process baseline): the same admission slots
    taken from a worker thread, so a drill cannot crowd out the platform's calls."""
    if not serving.admission.acquire(timeout=serving.admission_wait_seconds):
        raise overloaded("too many scoring requests in flight")
    try:
        return job.score_in(session, serving)
    finally:
        serving.admission.release()
