"""One retry policy for everything that calls out: enforcement, webhooks, statements, incidents.

Exponential backoff with full jitter (a crowd of failures does not retry in step), at least
what the remote asked for in `Retry-After` (seconds or an HTTP date), and a dead-letter
decision. The *delay* is when the next attempt is due (stored as `next_attempt_at`); the
*countdown* handed to the broker never exceeds the Redis visibility timeout minus a margin,
because with the Redis transport a message whose ETA lies beyond it is redelivered, again
and again. A longer delay is waited out in hops: a task that wakes before its row is due
re-schedules itself without making an attempt (`early_by`).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = [
    "COUNTDOWN_BOUND_SECONDS",
    "EARLY_TOLERANCE_SECONDS",
    "VISIBILITY_TIMEOUT_SECONDS",
    "RetryPolicy",
    "attempt_lease",
    "countdown",
    "early_by",
    "next_delay",
    "parse_retry_after",
    "visibility_margin",
]

# An unacked Celery task returns to the queue after this (the worker died); tests shorten it.
VISIBILITY_TIMEOUT_SECONDS = float(os.environ.get("VERACITY_VISIBILITY_TIMEOUT", "120"))
# A timer or countdown firing this early still counts as on time (clock skew between hosts).
EARLY_TOLERANCE_SECONDS = 1.0


def visibility_margin(visibility: float) -> float:
    """Headroom below the visibility timeout: a quarter of it, at most 30 s."""
    return min(30.0, visibility / 4)


COUNTDOWN_BOUND_SECONDS = VISIBILITY_TIMEOUT_SECONDS - visibility_margin(VISIBILITY_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how far apart to try one outbound call before dead-lettering it."""

    max_attempts: int = 5
    base_seconds: float = 2.0
    max_backoff_seconds: float = 300.0  # the exponential part stops growing here
    max_retry_after_seconds: float = 3600.0  # a remote asking for longer is not believed

    def delay(
        self, attempts: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds until the next try after `attempts` failed ones (1 = the first failed)."""
        ceiling = min(self.max_backoff_seconds, self.base_seconds * 2.0 ** max(0, attempts - 1))
        jittered = (rng or random).uniform(0.0, ceiling)  # full jitter
        if retry_after is None:
            return jittered
        return max(jittered, min(max(0.0, retry_after), self.max_retry_after_seconds))

    def gives_up(self, attempts: int, *, transient: bool = True) -> bool:
        """Dead-letter now? A permanent refusal at once, a transient one when tries are spent."""
        return not transient or attempts >= self.max_attempts


DEFAULT_POLICY = RetryPolicy()


def next_delay(
    attempt: int, retry_after: float | None = None, policy: RetryPolicy = DEFAULT_POLICY
) -> float:
    """The countdown for the next try: the policy's delay, bounded for the broker."""
    return countdown(policy.delay(attempt, retry_after))


def countdown(delay: float, bound: float = COUNTDOWN_BOUND_SECONDS) -> float:
    """What to hand Celery (or a timer) for `delay`: never beyond the visibility bound."""
    return max(0.0, min(delay, bound))


def early_by(due: datetime | None, now: datetime) -> float:
    """Seconds still to wait when a task wakes before its row is due, else 0 (go ahead)."""
    if due is None:
        return 0.0
    remaining = (due - now).total_seconds()
    return remaining if remaining > EARLY_TOLERANCE_SECONDS else 0.0


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP date; None if absent/bad."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT; an obsolete form may parse naive
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# An attempt in flight holds its row (`next_attempt_at`) for the client's timeout and this:
# time for the call's phases (connect, send, read each have the timeout) and for settling it,
# so neither a redelivered task nor the sweep starts another attempt meanwhile.
ATTEMPT_MARGIN_SECONDS = 30.0


def attempt_lease(timeout: float) -> float:
    """How long an attempt in flight holds its row: the client's timeout and a margin."""
    return timeout + ATTEMPT_MARGIN_SECONDS
