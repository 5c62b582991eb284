"""A UI form whose text is not UTF-8 is refused, not stored with U+FFFD in place of its text.

Starlette decodes a urlencoded form leniently: an invalid UTF-8 sequence (`%E9` from a Latin-1
client) becomes U+FFFD and raw non-ASCII bytes are read as Latin-1, so a note would be stored
silently changed. The API refuses such a body (400 `bad_encoding`, api.errors); the UI does the
same as a page. `KeepFormBody` keeps the bytes of a /ui form as the route reads them (nothing
is read twice), and `form_in_utf8`, a dependency of every /ui route, refuses the request once
the form has been read, before the route stores anything. A NUL character in a /ui form is
refused here too, as a page (api.nul_guard leaves /ui forms to this check).

A multipart form (an upload) is read as leniently: a text field that is not UTF-8 is decoded
as Latin-1 (starlette.formparsers). Its text fields, the parts without a filename, are checked
as the body streams past (`TextParts`, python-multipart's parser): nothing of the body is kept
but the names of the fields at fault. File parts are the route's business.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from urllib.parse import unquote_to_bytes

from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import Message, Receive, Scope, Send

from api.middleware import HttpMiddleware

_KEPT = "veracity.ui_form_body"
_PARTS = "veracity.ui_form_text_parts"
_FORM = b"application/x-www-form-urlencoded"
_MULTIPART = b"multipart/form-data"
_UTF8 = (b"utf-8", b"utf8")


class NotUtf8Form(Exception):
    """The form's fields (by name) whose text is not UTF-8 (percent-encoded in a urlencoded
    form)."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


class NulInForm(NotUtf8Form):
    """The form's fields (by name) that hold the NUL character."""


class KeepFormBody(HttpMiddleware):
    """Keeps a copy of a /ui urlencoded form's body, under the body limit, as it is received; a
    /ui multipart form's text fields are checked as it is received (`TextParts`)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        kind = content_type.lower()
        keep: Callable[[bytes], object] | None = None
        if not scope["path"].startswith("/ui/"):
            keep = None
        elif kind.startswith(_FORM):
            chunks: list[bytes] = []
            scope[_KEPT] = chunks
            keep = chunks.append
        elif kind.startswith(_MULTIPART):
            parts = TextParts.of(content_type)
            if parts is not None:  # without a boundary Starlette refuses the form
                scope[_PARTS] = parts
                keep = parts.feed
        if keep is None:
            await self.app(scope, receive, send)
            return

        async def keeping() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                keep(message.get("body", b""))
            return message

        await self.app(scope, keeping, send)


class TextParts:
    """A multipart form's text fields (parts without a filename), checked as the body is
    received: which are not UTF-8 and which hold U+0000, by name. Only a part's headers are
    held while it is read (python-multipart bounds them); its text is decoded as it passes."""

    def __init__(self, boundary: bytes) -> None:
        self.misencoded: list[str] = []
        self.with_nul: list[str] = []
        self.other_charset = False  # the request declared a charset other than UTF-8
        self._parser: MultipartParser | None = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
                "on_part_end": self._end,
            },
        )
        self._begin()

    @classmethod
    def of(cls, content_type: bytes) -> TextParts | None:
        """For a multipart/form-data Content-Type; None without a boundary it can read."""
        options = parse_options_header(content_type)[1]
        boundary = options.get(b"boundary")
        try:
            parts = cls(boundary) if boundary else None
        except FormParserError:  # a boundary over python-multipart's limit: Starlette refuses it
            return None
        if parts is not None:
            # Starlette decodes text parts with the declared charset: only UTF-8 reads as sent.
            parts.other_charset = options.get(b"charset", b"utf-8").lower() not in _UTF8
        return parts

    def feed(self, chunk: bytes) -> None:
        if self._parser is None:
            return
        try:
            self._parser.write(chunk)
        except FormParserError:  # not a multipart body after all: Starlette refuses it as read
            self._parser = None

    def _begin(self) -> None:
        self._field = self._value = self._disposition = b""
        self._name: bytes | None = None  # the text part's name; None for a file part
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._not_utf8 = self._nul = False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        if self._field.lower() == b"content-disposition":
            self._disposition = self._value
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        options = parse_options_header(self._disposition)[1]
        if b"filename" in options:
            return
        self._name = name = options.get(b"name", b"")
        self._text(name, final=True)  # the name is whole: its own text, checked on its own
        self._decoder.reset()

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._name is not None:
            self._text(data[start:end])

    def _text(self, data: bytes, final: bool = False) -> None:
        self._nul = self._nul or b"\x00" in data
        if not self._not_utf8:
            try:
                self._decoder.decode(data, final)
            except UnicodeDecodeError:
                self._not_utf8 = True

    def _end(self) -> None:
        if self._name is None:
            return
        self._text(b"", final=True)
        if self._not_utf8 or self.other_charset:
            _add(self.misencoded, self._name)
        if self._nul:
            _add(self.with_nul, self._name)


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


async def form_in_utf8(request: Request) -> None:
    """Refuses a form with text that is not UTF-8 (NotUtf8Form) or holds the NUL character
    (NulInForm), before the route stores anything. It reads the form itself (Starlette keeps
    it for the route): a route that reads its own form, with the CSRF token in the header, would
    otherwise be checked before any of its body had arrived."""
    if _KEPT in request.scope or _PARTS in request.scope:
        await request.form()
    parts: TextParts | None = request.scope.get(_PARTS)
    if parts is not None:
        misencoded, with_nul = parts.misencoded, parts.with_nul
    else:
        chunks = request.scope.get(_KEPT)
        body = b"".join(chunks) if chunks else b""
        if not body:
            return
        misencoded = misencoded_fields(body)
        with_nul = fields_with_nul(body) if b"%00" in body else []
    if misencoded:
        raise NotUtf8Form(misencoded)
    if with_nul:
        raise NulInForm(with_nul)
