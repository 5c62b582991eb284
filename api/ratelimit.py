"""Per-key request limits: a fixed one-minute window counted in Redis, or no limit without Redis.

A refused call gets 429 with `Retry-After` (seconds until the window turns). If Redis is
unreachable the limiter lets calls through: losing Redis must not stop scoring.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Protocol

import redis

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60

# INCR and set the expiry in one round trip; returns the count and the window's remaining ms.
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
"""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    remaining: int
    retry_after: int = 0  # whole seconds, only when refused


class RateLimiter(Protocol):
    def hit(self, bucket: str, limit_per_minute: int) -> Verdict: ...


class NoLimit:
    """The embedded default: no Redis, no limit."""

    def hit(self, bucket: str, limit_per_minute: int) -> Verdict:
        return Verdict(True, limit_per_minute)


class RedisRateLimiter:
    def __init__(self, client: redis.Redis, prefix: str = "veracity:ratelimit") -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_HIT)

    @classmethod
    def from_url(cls, url: str) -> RedisRateLimiter:
        return cls(redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5))

    def hit(self, bucket: str, limit_per_minute: int) -> Verdict:
        if limit_per_minute <= 0:
            return Verdict(True, 0)
        window = int(time.time() // WINDOW_SECONDS)
        key = f"{self._prefix}:{bucket}:{window}"
        try:
            count, ttl_ms = self._script(keys=[key], args=[WINDOW_SECONDS * 1000])
        except redis.RedisError:
            log.warning("rate limiter: Redis unavailable, letting the call through", exc_info=True)
            return Verdict(True, limit_per_minute)
        count, ttl_ms = int(count), int(ttl_ms)
        if count <= limit_per_minute:
            return Verdict(True, limit_per_minute - count)
        retry = max(1, math.ceil(ttl_ms / 1000)) if ttl_ms > 0 else WINDOW_SECONDS
        return Verdict(False, 0, retry)


def make_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter.from_url(redis_url) if redis_url else NoLimit()
