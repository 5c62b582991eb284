"""A UI form whose text is not UTF-8 is refused, not stored with U+FFFD in place of its text.

Starlette decodes a urlencoded form leniently: an invalid UTF-8 sequence (`%E9` from a Latin-1
client) becomes U+FFFD and raw non-ASCII bytes are read as Latin-1, so a note would be stored
silently changed. The API refuses such a body (400 `bad_encoding`, api.errors); the UI does the
same as a page. `KeepFormBody` keeps the bytes of a /ui form as the route reads them (nothing
is read twice), and `form_in_utf8`, a dependency of every /ui route, refuses the request once
the form has been read, before the route stores anything. A NUL character in a /ui form is
refused here too, as a page (api.nul_guard leaves /ui forms to this check).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote_to_bytes

from fastapi import Request
from starlette.types import Message, Receive, Scope, Send

from api.middleware import HttpMiddleware

_KEPT = "veracity.ui_form_body"
_FORM = b"application/x-www-form-urlencoded"


class NotUtf8Form(Exception):
    """The form's fields (by name) whose text is not percent-encoded UTF-8."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


class NulInForm(NotUtf8Form):
    """The form's fields (by name) that hold the NUL character."""


class KeepFormBody(HttpMiddleware):
    """Keeps a copy of a /ui urlencoded form's body, under the body limit, as it is received."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if not scope["path"].startswith("/ui/") or not content_type.lower().startswith(_FORM):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        scope[_KEPT] = chunks

        async def keeping() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        await self.app(scope, keeping, send)


def misencoded_fields(body: bytes) -> list[str]:
    """The names of the fields whose name or value is not percent-encoded UTF-8."""
    bad: list[str] = []
    for pair, name, value in _fields(body):
        try:
            name.decode("utf-8"), value.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if pair.isascii():  # a form is ASCII on the wire; raw bytes would be read as Latin-1
                continue
        _add(bad, name)
    return bad


def fields_with_nul(body: bytes) -> list[str]:
    """The names of the fields whose name or value holds U+0000 (PostgreSQL cannot store it)."""
    bad: list[str] = []
    for _, name, value in _fields(body):
        if b"\x00" in name + value:
            _add(bad, name)
    return bad


def _fields(body: bytes) -> Iterator[tuple[bytes, bytes, bytes]]:
    """Each field of a urlencoded body: (as sent, its name, its value), unquoted to bytes."""
    for pair in body.split(b"&"):
        name, _, value = (unquote_to_bytes(p.replace(b"+", b" ")) for p in pair.partition(b"="))
        yield pair, name, value


def _add(names: list[str], name: bytes) -> None:
    shown = name.decode("utf-8", "replace").replace("\x00", "\\u0000").replace("_", " ")
    if shown not in names:
        names.append(shown)


def form_in_utf8(request: Request) -> None:
    """Refuses a form read with text that is not UTF-8 (NotUtf8Form) or holds the NUL character
    (NulInForm); runs after the form is read, before the route stores anything."""
    chunks = request.scope.get(_KEPT)
    body = b"".join(chunks) if chunks else b""
    if not body:
        return
    misencoded = misencoded_fields(body)
    if misencoded:
        raise NotUtf8Form(misencoded)
    with_nul = fields_with_nul(body) if b"%00" in body else []
    if with_nul:
        raise NulInForm(with_nul)
