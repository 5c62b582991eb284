"""Liveness and readiness.

Readiness gates only what a request cannot be served without: the database (the system of
record) and, when configured, the broker that carries work to the pipeline. Elasticsearch only
holds a copy of the action log that the outbox ships later, so an outage there is reported as
degraded in the body but never takes a replica out of the load balancer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.process import AppRuntimeDep
from core.process import Process

router = APIRouter(tags=["health"])
ES_CHECK_SECONDS = 2.0


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Database and broker are usable (Elasticsearch reported, never gating)",
    description=(
        "503 only when the database or the configured broker is unreachable. Elasticsearch "
        'being down shows as `degraded: ["elasticsearch"]`: the action log waits in the '
        "outbox and ships when it is back."
    ),
)
def readyz(rt: AppRuntimeDep) -> JSONResponse:
    required: dict[str, Any] = {"database": _check(lambda: _ping_database(rt))}
    if rt.settings.redis.url:
        required["redis"] = _check(lambda: _ping_redis(rt.settings.redis.url or ""))
    informational: dict[str, Any] = {}
    if rt.action_log is not None:
        client = rt.action_log.client.options(request_timeout=ES_CHECK_SECONDS)
        informational["elasticsearch"] = _check(lambda: client.cluster.health())
    checks = {
        **required,
        **informational,
        "model": {"ok": True, "version": rt.classifier.model_version},
    }
    ready = all(c["ok"] for c in required.values())
    degraded = sorted(name for name, c in informational.items() if not c["ok"])
    body = {"ready": ready, "degraded": degraded, "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


def _ping_database(rt: Process) -> None:
    # Close the connection at once: on SQLite an open transaction holds the write lock.
    with rt.engine.connect() as conn:
        conn.execute(text("select 1"))


def _ping_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def _check(fn: Callable[[], object]) -> dict[str, Any]:
    try:
        fn()
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True}
