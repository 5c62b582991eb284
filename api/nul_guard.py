"""Refuse NUL characters (U+0000) anywhere in a request, with 422 naming where they are.

PostgreSQL cannot store U+0000 in text or jsonb, so one such character in one post made the
whole batch a 500 there (SQLite stored it). Stripping would silently change what was scored,
decided and logged as evidence, so the request is refused and the sender fixes it: the
details list every field (`["body", "posts", 3, "text"]`), so a batch names its bad posts.
Checked once at the edge for every route, API and UI: the path, the query string, JSON and
form bodies (the review UI's forms are refused as a page, by review_ui.form_encoding). Bodies without the escape (nearly all) are only searched, not parsed twice.
A path or query of a prefix given a page of its own (the review UI's /ui) is refused with that
page instead of the JSON.

First, on the headers alone, a body the routes cannot read as sent is refused with 415
(api.media_type): a Content-Encoding, or a JSON operation's body sent as another type.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import media_type
from api.errors import error_body, send_error
from api.middleware import HttpMiddleware

CODE = "nul_character"
MESSAGE = "text may not contain the NUL character (U+0000); remove it and send again"
_JSON_NUL = b"\\u0000"  # how JSON writes U+0000 (it may not appear raw)
_FORM_NUL = b"%00"

Loc = list[str | int]
# Answers a request refused for NUL characters at these locations (its path, its query's names).
RefusalPage = Callable[[Scope, Receive, Send, list[Loc]], Awaitable[None]]


def nul_locations(value: Any, loc: Loc) -> list[Loc]:
    """Where U+0000 occurs in a parsed JSON value: in strings and in object keys."""
    if isinstance(value, str):
        return [loc] if "\x00" in value else []
    found: list[Loc] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                found.append([*loc, key.replace("\x00", "\\u0000")])
            found.extend(nul_locations(item, [*loc, key]))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(nul_locations(item, [*loc, index]))
    return found


def _pairs_with_nul(pairs: list[tuple[str, str]], where: str) -> list[Loc]:
    return [[where, name.replace("\x00", "\\u0000")] for name, v in pairs if "\x00" in name + v]


def _query_locations(scope: Scope) -> list[Loc]:
    raw: bytes = scope.get("query_string", b"")
    if _FORM_NUL not in raw:
        return []
    return _pairs_with_nul(parse_qsl(raw.decode("latin-1"), keep_blank_values=True), "query")


def _body_locations(content_type: str, body: bytes) -> list[Loc]:
    if _JSON_NUL in body and media_type.is_json(content_type):
        try:
            return nul_locations(json.loads(body), ["body"])
        except ValueError:
            return []  # not JSON after all: the route answers for that
    if _FORM_NUL in body and content_type.startswith("application/x-www-form-urlencoded"):
        return _pairs_with_nul(parse_qsl(body.decode("latin-1"), keep_blank_values=True), "body")
    return []


_UI = "/ui/"  # the review UI's forms: refused as a page there (review_ui.form_encoding)


def _checks_body(path: str, content_type: str) -> bool:
    # Only JSON and forms are parsed (a JSON operation refuses any other body: api.media_type).
    if media_type.is_json(content_type):
        return True
    return content_type.startswith("application/x-www-form-urlencoded") and not path.startswith(_UI)


class NulGuardMiddleware(HttpMiddleware):
    """Sits inside the body limit, so it never holds more than the limit allows."""

    def __init__(self, app: ASGIApp, pages: Mapping[str, RefusalPage] | None = None) -> None:
        """`pages`: by path prefix ("/ui"), the page refusing a NUL in such a path or query."""
        super().__init__(app)
        self.json_operations = media_type.JsonOperations()
        self.pages = dict(pages or {})

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        unreadable = media_type.refusal(scope, self.json_operations)
        if unreadable is not None:
            await send_error(send, 415, error_body(*unreadable))
            return
        found: list[Loc] = [["path"]] if "\x00" in scope["path"] else []
        found.extend(_query_locations(scope))
        headers = dict(scope.get("headers", []))
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if found or not _checks_body(scope["path"], content_type):
            page = self._page_of(scope["path"])
            if found and page is not None:
                await page(scope, receive, send, found)
            elif found:
                await _refuse(send, found)
            else:
                await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        found = _body_locations(content_type, body)
        if found:
            await _refuse(send, found)
            return
        await self.app(scope, _replay(body, more, receive), send)

    def _page_of(self, path: str) -> RefusalPage | None:
        for prefix, page in self.pages.items():
            if path == prefix or path.startswith(prefix + "/"):
                return page
        return None


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body; anything else received (a disconnect) is kept to hand on."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _replay(body: bytes, extra: list[Message], receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *extra]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


async def _refuse(send: Send, locations: list[Loc]) -> None:
    details = [{"loc": loc, "type": CODE, "msg": MESSAGE} for loc in locations[:50]]
    await send_error(send, 422, error_body(CODE, MESSAGE, details))
