"""Per-key limits counted in real Redis: the call over the limit gets 429 and Retry-After."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accounts.service import create_api_key
from api.ratelimit import NoLimit, RedisRateLimiter
from core.db import transaction
from runtime.web import create_app
from tests.conftest import ADMIN, auth, redis_limited_runtime

pytestmark = pytest.mark.services
BODY = {"posts": [{"id": "rl1", "text": "hello"}]}


def test_over_the_limit_is_429_with_retry_after_and_keys_are_counted_apart(
    redis_url: str, tmp_path: Path
) -> None:
    rt = redis_limited_runtime(tmp_path, redis_url)
    with transaction(rt.sessions) as s:
        tight = create_api_key(s, "tight", ["score"], ADMIN, rate_limit_per_minute=3).secret
        other = create_api_key(s, "other", ["score"], ADMIN, rate_limit_per_minute=3).secret
    with TestClient(create_app(rt)) as client:
        codes = [
            client.post("/v1/score", json=BODY, headers=auth(tight)).status_code for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        refused = client.post("/v1/score", json=BODY, headers=auth(tight))
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert client.post("/v1/score", json=BODY, headers=auth(other)).status_code == 200
    rt.engine.dispose()


def test_limiter_counts_in_redis_and_zero_means_unlimited(redis_url: str) -> None:
    limiter = RedisRateLimiter.from_url(redis_url)
    verdicts = [limiter.hit("k", 2) for _ in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[0].remaining == 1 and verdicts[2].retry_after >= 1
    assert all(limiter.hit("k", 0).allowed for _ in range(5))


def test_unreachable_redis_lets_calls_through() -> None:
    limiter = RedisRateLimiter.from_url("redis://127.0.0.1:1/0")
    assert limiter.hit("k", 1).allowed and limiter.hit("k", 1).allowed
    assert NoLimit().hit("k", 1).allowed
