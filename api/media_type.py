"""Refuse with 415 a request body the routes cannot read as it was sent.

Nothing here decodes a Content-Encoding: a gzip body reached the routes as its compressed bytes
(refused as "not valid UTF-8", the wrong reason), and a plain body labelled gzip or br was
silently taken as it was. So any coding but `identity` is refused, naming it.

An operation the OpenAPI document says takes a JSON body reads only JSON: FastAPI takes a body
of any other Content-Type (none, text/plain, a form, application/jsonx) as raw bytes, and the
client was told "Input should be a valid dictionary or object". Such a body is refused naming
the type the operation needs: `application/json` or `application/*+json`, in UTF-8 (no charset
or charset=utf-8). The review UI's form routes and the raw upload of an attachment are not
JSON operations of the document, so this leaves them alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.message import Message
from typing import Any

from starlette.routing import compile_path
from starlette.types import Scope

UNSUPPORTED_ENCODING = "unsupported_content_encoding"
UNSUPPORTED_TYPE = "unsupported_media_type"
_UTF8 = {"utf-8", "utf8"}

Refusal = tuple[str, str]  # (code, message)


def _kind(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _charset(content_type: str) -> str | None:
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return charset.lower() if isinstance(charset, str) else None


def is_json(content_type: str) -> bool:
    """`application/json` or `application/<anything>+json`, parameters aside."""
    kind = _kind(content_type)
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def _has_body(headers: Mapping[bytes, bytes]) -> bool:
    length = headers.get(b"content-length", b"0").strip()
    return b"transfer-encoding" in headers or not length.isdigit() or int(length) > 0


class JsonOperations:
    """The (method, path) pairs whose OpenAPI operation takes a JSON request body, read from the
    app's own document the first time a request needs it."""

    def __init__(self) -> None:
        self._patterns: dict[str, list[re.Pattern[str]]] | None = None

    def takes_json(self, scope: Scope) -> bool:
        if self._patterns is None:
            self._patterns = _json_operations(scope.get("app"))
        path = scope["path"][len(scope.get("root_path", "")) :] or "/"
        return any(p.match(path) for p in self._patterns.get(scope["method"].lower(), []))


def _json_operations(app: Any) -> dict[str, list[re.Pattern[str]]]:
    openapi = getattr(app, "openapi", None)
    document: dict[str, Any] = openapi() if callable(openapi) else {}
    found: dict[str, list[re.Pattern[str]]] = {}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}) if operation else {}
            if content and all(is_json(kind) for kind in content):
                found.setdefault(method, []).append(compile_path(path)[0])
    return found


def refusal(scope: Scope, operations: JsonOperations) -> Refusal | None:
    """Why the request's body cannot be read as sent (415), or None when it can."""
    headers = dict(scope.get("headers", []))
    if not _has_body(headers):
        return None
    coding = headers.get(b"content-encoding", b"").decode("latin-1").strip().lower()
    if coding not in ("", "identity"):
        return UNSUPPORTED_ENCODING, (
            f"Content-Encoding '{coding[:40]}' is not supported: send the body uncompressed "
            "(no Content-Encoding, or identity)"
        )
    content_type = headers.get(b"content-type", b"").decode("latin-1")
    if is_json(content_type) and _charset(content_type) in (None, *_UTF8):
        return None
    if not operations.takes_json(scope):
        return None
    return UNSUPPORTED_TYPE, _json_needed(content_type)


def _json_needed(content_type: str) -> str:
    needed = "this endpoint takes a JSON body: Content-Type application/json (UTF-8)"
    if not content_type.strip():
        return f"{needed}; the request has no Content-Type"
    if is_json(content_type):
        return f"{needed}, not charset={(_charset(content_type) or '')[:40]}"
    return f"{needed}, not {_kind(content_type)[:80]}"
