"""One log line per HTTP request (method, path, status, duration), under its request id."""

from __future__ import annotations

import logging
import time

from starlette.types import Message, Receive, Scope, Send

from api.middleware import HttpMiddleware

log = logging.getLogger("veracity.access")


class AccessLogMiddleware(HttpMiddleware):
    """Sits inside RequestIdMiddleware, so the line carries `http.request.id`."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500  # an exception before the response started

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - started
            method, path = scope.get("method", ""), scope.get("path", "")
            log.info(
                "%s %s %d %.1f ms",
                method,
                path,
                status,
                elapsed * 1000,
                extra={
                    "ecs": {
                        "http.request.method": method,
                        "url.path": path,
                        "http.response.status_code": status,
                        "event.duration": int(elapsed * 1e9),  # ECS: nanoseconds
                    }
                },
            )
