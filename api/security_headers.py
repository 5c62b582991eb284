"""Security headers on every response, with a Content-Security-Policy fitting what it is.

One middleware, outermost, so that API answers, the review UI, the public statement page and
feed, the incident report, the docs and even the 413 of the body limit all carry them. A
header a route sets itself is kept.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from api.middleware import HttpMiddleware

_LOCKED = "frame-ancestors 'none'; base-uri 'none'"
# JSON, feeds, files: nothing in them may load or run anything.
API_CSP = f"default-src 'none'; form-action 'none'; {_LOCKED}"
# The review UI: its own static JS and CSS only (no inline code), forms posting to itself.
UI_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    f"connect-src 'self'; object-src 'none'; form-action 'self'; {_LOCKED}"
)
# Standalone documents (public statement page, incident report): no script at all; the
# report's own inline <style> and data: chart images are all they use.
DOCUMENT_CSP = (
    f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; {_LOCKED}"
)
# FastAPI's docs pages load Swagger UI / ReDoc from jsdelivr; their inline scripts are allowed
# by hash (computed from the page served), never by 'unsafe-inline'.
_DOCS_BASE = (
    "default-src 'none'; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net "
    "https://fonts.googleapis.com; font-src https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    f"connect-src 'self'; worker-src blob:; form-action 'self'; {_LOCKED}"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})

COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def csp_for(path: str, content_type: str) -> str:
    if not content_type.startswith("text/html"):
        return API_CSP
    if path == "/ui" or path.startswith("/ui/"):
        return UI_CSP
    return DOCUMENT_CSP


def docs_csp(body: bytes) -> str:
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(m).digest()).decode()}'"
        for m in _INLINE_SCRIPT.findall(body)
    )
    return f"script-src 'self' https://cdn.jsdelivr.net {hashes}; {_DOCS_BASE}"


class SecurityHeadersMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if path in DOCS_PATHS:
            await self._docs(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = _headers(message)
                csp = csp_for(path, headers.get("content-type", ""))
                _apply(headers, csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Docs pages are small and generated: hold the body to hash its inline scripts."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            headers = _headers(start)
            html = headers.get("content-type", "").startswith("text/html")
            _apply(headers, docs_csp(body) if html else API_CSP)
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, hold)


def _headers(start: Message) -> MutableHeaders:
    start.setdefault("headers", [])
    return MutableHeaders(scope=start)


def _apply(headers: MutableHeaders, csp: str) -> None:
    headers.setdefault("content-security-policy", csp)
    for name, value in COMMON.items():
        headers.setdefault(name, value)
