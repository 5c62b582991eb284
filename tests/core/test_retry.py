"""The one retry policy: jittered backoff, Retry-After, dead-lettering, bounded countdowns."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from core.retry import (
    COUNTDOWN_BOUND_SECONDS,
    VISIBILITY_TIMEOUT_SECONDS,
    RetryPolicy,
    countdown,
    early_by,
    next_delay,
    parse_retry_after,
    visibility_margin,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_no_countdown_reaches_the_visibility_timeout_whatever_the_attempt_or_retry_after() -> None:
    below_visibility = VISIBILITY_TIMEOUT_SECONDS - visibility_margin(VISIBILITY_TIMEOUT_SECONDS)
    assert 0 < COUNTDOWN_BOUND_SECONDS <= below_visibility
    assert visibility_margin(120) == 30 and visibility_margin(3) == 0.75
    long_waits = RetryPolicy(max_backoff_seconds=3600)
    for attempt in range(1, 40):
        for retry_after in (None, 0.0, 30.0, 600.0, 86_400.0, 1e12):
            delay = next_delay(attempt, retry_after, long_waits)
            assert 0 <= delay <= COUNTDOWN_BOUND_SECONDS < VISIBILITY_TIMEOUT_SECONDS
    assert countdown(10_000, bound=2.25) == 2.25 and countdown(-1) == 0


def test_full_jitter_stays_between_zero_and_the_exponential_ceiling_and_spreads() -> None:
    policy = RetryPolicy(base_seconds=2, max_backoff_seconds=300)
    rng = random.Random(7)
    for attempt, ceiling in ((1, 2), (2, 4), (4, 16), (8, 256), (9, 300), (30, 300)):
        samples = [policy.delay(attempt, rng=rng) for _ in range(400)]
        assert all(0 <= s <= ceiling for s in samples)
        assert min(samples) < 0.1 * ceiling and max(samples) > 0.9 * ceiling  # not in step


def test_retry_after_is_a_floor_and_an_absurd_one_is_capped() -> None:
    policy = RetryPolicy(base_seconds=2, max_backoff_seconds=300, max_retry_after_seconds=3600)
    rng = random.Random(1)
    assert all(policy.delay(1, 45.0, rng) == 45.0 for _ in range(50))  # jitter is at most 2
    assert all(45.0 <= policy.delay(8, 45.0, rng) <= 256 for _ in range(50))
    assert policy.delay(1, 10**9, rng) == 3600.0
    assert policy.delay(1, -5.0, rng) <= 2.0


def test_retry_after_in_seconds_and_as_an_http_date() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 7 ") == 7.0
    in_90s = format_datetime(NOW + timedelta(seconds=90), usegmt=True)
    assert in_90s.endswith("GMT")
    assert parse_retry_after(in_90s, now=NOW) == pytest.approx(90.0)
    assert parse_retry_after("Sun, 29 Nov 2026 11:00:00 GMT", now=NOW) == 0.0  # already past
    for bad in (None, "", "soon", "-5", "1.5e3"):
        assert parse_retry_after(bad, now=NOW) is None


def test_dead_letter_at_once_when_refused_and_when_transient_tries_run_out() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.gives_up(1, transient=False)
    assert not policy.gives_up(1) and not policy.gives_up(2)
    assert policy.gives_up(3) and policy.gives_up(4)


def test_a_task_woken_before_its_row_is_due_waits_the_rest() -> None:
    assert early_by(None, NOW) == 0
    assert early_by(NOW + timedelta(seconds=0.5), NOW) == 0  # within tolerance: go ahead
    assert early_by(NOW - timedelta(seconds=30), NOW) == 0
    assert early_by(NOW + timedelta(seconds=500), NOW) == 500
