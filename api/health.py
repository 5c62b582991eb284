"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import RuntimeDep
from runtime.container import Runtime

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Database, Redis, Elasticsearch and the model are usable")
def readyz(rt: RuntimeDep) -> JSONResponse:
    checks: dict[str, Any] = {}
    checks["database"] = _check(lambda: _ping_database(rt))
    if rt.settings.redis.url:
        import redis

        checks["redis"] = _check(
            lambda: redis.Redis.from_url(rt.settings.redis.url or "", socket_timeout=2).ping()
        )
    if rt.action_log is not None:
        store = rt.action_log
        checks["elasticsearch"] = _check(lambda: store.client.cluster.health(timeout="2s"))
    checks["model"] = {"ok": True, "version": rt.classifier.model_version}
    ready = all(c.get("ok") for c in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


def _ping_database(rt: Runtime) -> None:
    # Close the connection at once: on SQLite an open transaction holds the write lock.
    with rt.engine.connect() as conn:
        conn.execute(text("select 1"))


def _check(fn: Any) -> dict[str, Any]:
    try:
        fn()
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True}
