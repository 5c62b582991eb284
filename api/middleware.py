"""Request ids, a hard cap on body size enforced before the body is parsed, and the JSON 500
for an exception nothing else handled."""

from __future__ import annotations

import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import answer_unexpected, error_body, send_error
from core.logging import bound_request


class HttpMiddleware:
    """An ASGI middleware that acts on HTTP requests (`http`); other scopes (lifespan,
    websocket) pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class RequestIdMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        given = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = given if given.replace("-", "").isalnum() else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        with bound_request(request_id):  # every log line of this request carries the id
            await self.app(scope, receive, send_with_id)


class UnexpectedErrorMiddleware(HttpMiddleware):
    """Answers an exception nothing else handled with the JSON 500 (`internal`, the request
    id), logged once, and does not re-raise it. It sits inside the security headers, the
    metrics, the request id and the access log, so that 500 carries and is counted like any
    other answer; Starlette's own handler for `Exception` runs outermost, past all of them, and
    re-raises for the server to log a second time."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as exc:
            rid = scope.get("state", {}).get("request_id") or uuid.uuid4().hex
            body = answer_unexpected(rid, scope.get("method", ""), scope.get("path", ""), exc)
            if not started:
                await send_error(send, 500, body)
            # Else the answer is cut short: returning without finishing it makes the server
            # close the connection, so the client sees a broken response, never a short one.


class BodyLimitMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(send, self.max_bytes)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    await send_error(send, 413, error_body("body_too_large", f"request body exceeds {limit} bytes"))
